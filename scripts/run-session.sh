#!/usr/bin/env bash
# One nox session for a worker of scripts/test.sh: its output goes to
# .cache/logs/sessions/<name>.log and is printed whole when it ends (one
# session's at a time), and its outcome and seconds are added to
# .cache/logs/sessions/times.tsv. Exits with nox's status.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
cd "$STELLARS_ROOT"

session=$1
folder="$STELLARS_LOGS/sessions"
logfile="$folder/$(printf '%s' "$session" | tr -c 'A-Za-z0-9=_.-' _).log"
started=$(now_s)
"$STELLARS_NOX" -s "$session" >"$logfile" 2>&1
status=$?
outcome=passed
[[ $status -eq 0 ]] || outcome=failed
{
    flock 9
    cat -- "$logfile"
    printf '%s\t%s\t%s\n' "$session" "$outcome" "$(elapsed_since "$started")" >>"$folder/times.tsv"
} 9>>"$folder/.lock"
exit "$status"
