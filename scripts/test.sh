#!/usr/bin/env bash
# The README's test command: provision the real components, run every nox
# session (what plain `nox` runs), then print the tests per layer of the
# whole run. Extra arguments go to nox (e.g. `-s lint`).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
cd "$STELLARS_ROOT"

started=$(now_s)
tools_bin=$(scripts/bootstrap-tools.sh | tail -n 1)
scripts/provision-all.sh >/dev/null
log "provisioned in $(elapsed_since "$started")s"

rm -rf .cache/reports
status=0
"$tools_bin/nox" "$@" || status=$?
"$tools_bin/uv" run --no-project --python 3.11 python scripts/summarize-tests.py .cache/reports || status=1
log "finished in $(elapsed_since "$started")s"
exit "$status"
