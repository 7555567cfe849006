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

# Stop afterwards the services this run had to start (set
# STELLARS_KEEP_SERVICES=1 to keep them for the next run); anything that was
# already running stays as it was.
to_stop=()
docker info >/dev/null 2>&1 || to_stop+=(docker)
(exec 3<>"/dev/tcp/127.0.0.1/${STELLARS_PG_PORT:-54329}") 2>/dev/null || to_stop+=(postgres)
# shellcheck disable=SC2317  # called by the EXIT trap
stop_started() {
    if [[ ${#to_stop[@]} -gt 0 && -z ${STELLARS_KEEP_SERVICES:-} ]]; then
        scripts/stop-services.sh "${to_stop[@]}" || true
    fi
}
trap stop_started EXIT

scripts/provision-all.sh >/dev/null
log "provisioned in $(elapsed_since "$started")s"

rm -rf .cache/reports
status=0
"$tools_bin/nox" "$@" || status=$?
"$tools_bin/uv" run --no-project --python 3.11 python scripts/summarize-tests.py .cache/reports || status=1
log "finished in $(elapsed_since "$started")s"
exit "$status"
