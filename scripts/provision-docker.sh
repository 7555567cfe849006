#!/usr/bin/env bash
# Make sure a Docker daemon answers, for DockerSpawner tests and the lab
# image build.  A daemon that already answers is used as is (and never
# stopped by stop-services.sh); otherwise we install Debian's docker.io if
# needed and start dockerd ourselves, recording its pid in .cache/docker so
# stop-services.sh can tell "ours" from "someone else's".
#
# Env: DOCKER_HOST (unix://...) makes us start dockerd on that socket;
#      STELLARS_DOCKERD_ARGS adds extra dockerd flags (word-split), e.g. a
#      separate --data-root/--exec-root for a second daemon.  Never pass
#      "--bridge none" next to another daemon: dockerd then deletes the
#      shared docker0 interface and breaks the other daemon's containers.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

state="$STELLARS_CACHE/docker"
pidfile="$state/dockerd.pid"
logfile="$state/dockerd.log"

# Bounded: a wedged daemon can accept the connection and never reply.
docker_answers() { command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; }

if docker_answers; then
    if pid_alive "$(cat "$pidfile" 2>/dev/null || true)" dockerd; then
        log "dockerd (started by us, pid $(cat "$pidfile")) already answering"
    else
        log "docker daemon already answering"
    fi
    exit 0
fi

# Either client works (Debian's or a newer one in /usr/local/bin), but both
# halves must exist.
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    apt_install docker.io
    hash -r
    # docker.io's postinst may have started a daemon through the init system.
    if docker_answers; then
        log "installed docker.io; its daemon answers"
        exit 0
    fi
fi
command -v dockerd >/dev/null 2>&1 || die "dockerd not found after installing docker.io; install Docker yourself"
[[ $(id -u) -eq 0 ]] || die "dockerd is not running and starting it needs root; start Docker yourself"

mkdir -p -- "$state"
existing=$(cat "$pidfile" 2>/dev/null || true)
if pid_alive "$existing" dockerd; then
    # Our daemon from an earlier run is still starting up (or wedged): give it
    # the same grace period instead of starting a second one.
    log "waiting for our dockerd (pid $existing)"
else
    rm -f -- "$pidfile"
    args=(--pidfile "$pidfile")
    if [[ -n ${DOCKER_HOST:-} ]]; then
        args+=(-H "$DOCKER_HOST")
    fi
    if [[ -n ${STELLARS_DOCKERD_ARGS:-} ]]; then
        read -r -a extra <<<"$STELLARS_DOCKERD_ARGS"
        args+=("${extra[@]}")
    fi
    printf '\n=== %s: dockerd %s\n' "$(date -u +%FT%TZ)" "${args[*]}" >>"$logfile"
    # setsid -f: detach from our session so the daemon outlives this script
    # and a Ctrl-C in the caller's terminal.
    setsid -f dockerd "${args[@]}" </dev/null >>"$logfile" 2>&1
fi

if ! wait_until 30 docker_answers; then
    log "dockerd did not answer within 30 s; last lines of $logfile:"
    tail -n 30 -- "$logfile" >&2
    exit 1
fi
log "started dockerd (pid $(cat "$pidfile" 2>/dev/null || echo '?'), log $logfile)"
