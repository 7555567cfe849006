#!/usr/bin/env bash
# Stop the services the provision scripts started, and only those: the
# dockerd recorded in .cache/docker/dockerd.pid (a daemon that was already
# running has no such pidfile and is left alone) and the PostgreSQL cluster
# in .cache/postgres (a system cluster is never touched).
#
# Usage: stop-services.sh [docker] [postgres]   (default: both)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

parts=" ${*:-docker postgres} "
for part in $parts; do
    [[ $part == docker || $part == postgres ]] || die "unknown service '$part' (docker, postgres)"
done

stopped=()
failed=()

pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# --- PostgreSQL first: it does not depend on Docker ------------------------
if [[ $parts == *" postgres "* ]] && home=$(pg_state_dir) && [[ -f $home/data/postmaster.pid ]]; then
    pid=$(sed -n 1p "$home/data/postmaster.pid")
    if pid_alive "$pid" postgres; then
        pgbin=$(pg_bindir) || die "a cluster runs in $home/data but pg_ctl is gone"
        if as_postgres "$pgbin/pg_ctl" -D "$home/data" -m fast -w -t 30 -s stop; then
            stopped+=("postgres (pid $pid)")
        else
            failed+=("postgres (pid $pid)")
        fi
    fi
fi

# --- dockerd, only if we started it ------------------------------------------
pidfile="$STELLARS_CACHE/docker/dockerd.pid"
if [[ $parts == *" docker "* && -f $pidfile ]]; then
    pid=$(cat "$pidfile")
    # Check the name too: after a reboot the pid may belong to anything.
    if pid_alive "$pid" dockerd; then
        kill -TERM "$pid"
        # dockerd stops its containers first (up to its shutdown timeout).
        if wait_until 60 pid_gone "$pid"; then
            stopped+=("dockerd (pid $pid)")
        else
            failed+=("dockerd (pid $pid) still running after 60 s")
        fi
    fi
    pid_alive "$pid" dockerd || rm -f -- "$pidfile"
fi

join() { local s; s=$(printf '%s, ' "$@"); printf '%s' "${s%, }"; }
if [[ ${#failed[@]} -gt 0 ]]; then
    die "could not stop: $(join "${failed[@]}")"
elif [[ ${#stopped[@]} -gt 0 ]]; then
    log "stopped $(join "${stopped[@]}")"
else
    log "nothing of ours was running"
fi
