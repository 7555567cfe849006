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

# All but the hub image, whose build runs the unit tests: the deploy session
# builds it (noxfile.py), so a failing unit test fails that session and its
# package's, and every other session still runs and reports. The swarm
# node's image and the stack's PostgreSQL and registry images are the swarm
# session's alone; it builds them.
scripts/provision-all.sh --except hub-image,swarm-node-image,postgres-image,registry-image >/dev/null
log "provisioned in $(elapsed_since "$started")s"

rm -rf .cache/reports
status=0
if [[ $# -gt 0 || -n ${STELLARS_SERIAL:-} ]]; then
    "$tools_bin/nox" "$@" || status=$?
else
    # Every session, STELLARS_STREAMS at once (4 by default): each worker
    # takes the next session, longest first (scripts/order-sessions.py), as
    # it finishes the one before. The integration sessions spend much of
    # their time waiting on containers, browsers and the culler's checks,
    # often all at once (their modules run in the same order): with three
    # workers the two cores were idle 14% of a run, and a fourth took most
    # (docs/testing.md). Each session's output is printed whole when it ends.
    # STELLARS_SERIAL=1 runs them one by one.
    folder=.cache/logs/sessions
    rm -rf "$folder"
    mkdir -p "$folder"
    listing=$("$tools_bin/nox" --list --json 2>/dev/null)
    "$tools_bin/uv" run --no-project --python 3.11 python scripts/order-sessions.py \
        <<<"$listing" >"$folder/order"
    STELLARS_NOX="$tools_bin/nox" xargs -d '\n' -n 1 -P "${STELLARS_STREAMS:-4}" \
        bash scripts/run-session.sh <"$folder/order" || status=$?
    log "per session, longest first: outcome, seconds, CPU seconds of its own processes"
    sort -t $'\t' -k 3 -rn "$folder/times.tsv" >&2
fi
"$tools_bin/uv" run --no-project --python 3.11 python scripts/summarize-tests.py .cache/reports || status=1
log "finished in $(elapsed_since "$started")s"
exit "$status"
