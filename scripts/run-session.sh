#!/usr/bin/env bash
# One nox session for a worker of scripts/test.sh: its output goes to
# .cache/logs/sessions/<name>.log and is printed whole when it ends (one
# session's at a time), and its outcome, seconds and CPU seconds are added
# to .cache/logs/sessions/times.tsv. The CPU is that of the session's own
# processes (pytest, the hubs and proxies, the browsers), not the Docker
# engine's or its containers'. Exits with nox's status.
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
# bash's `times` (into a file: in a pipe it would run in a subshell, which
# has no children): the shell's user and system CPU, then its children's.
times >"$logfile.cpu"
cpu=$(awk 'NR == 2 {
    split($1, u, /[ms]/); split($2, s, /[ms]/)
    printf "%.0f", u[1] * 60 + u[2] + s[1] * 60 + s[2]
}' "$logfile.cpu")
rm -f -- "$logfile.cpu"
outcome=passed
[[ $status -eq 0 ]] || outcome=failed
{
    flock 9
    cat -- "$logfile"
    printf '%s\t%s\t%s\t%s\n' "$session" "$outcome" "$(elapsed_since "$started")" "$cpu" >>"$folder/times.tsv"
} 9>>"$folder/.lock"
exit "$status"
