#!/usr/bin/env bash
# Install the tools the project is driven with (uv, nox) into .cache/tools,
# from PyPI, with the machine's python3; print the bin directory as the last
# stdout line. Nothing is installed globally.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

tools="$STELLARS_CACHE/tools"
if [[ -x $tools/bin/uv && -x $tools/bin/nox ]]; then
    log "uv and nox present"
else
    command -v python3 >/dev/null || die "python3 (3.11 or newer) is needed; install it first"
    ensure_cache_dir
    python3 -m venv "$tools"
    run_logged bootstrap-tools "$tools/bin/pip" install --quiet "uv>=0.5" "nox>=2025.2.9"
    log "installed uv and nox into $tools"
fi
echo "$tools/bin"
