#!/usr/bin/env bash
# The README's first command: a Stellars Hub on http://127.0.0.1:8000 with its
# state (SQLite, cookie secret, admin password) in .state/. Users' servers run
# in Docker containers when an engine answers (one is installed and started
# when possible), otherwise as local processes, with a warning. Ctrl-C stops
# the hub, the proxy, the servers, and the Docker daemon if this script started it.
#
# Usage: demo.sh [JUPYTERHUB OPTIONS...]   (passed on to jupyterhub)
#   STELLARS_DEMO_STATE: the state folder (default .state); JUPYTERHUB_BIND_URL
#   as for any deployment (default http://127.0.0.1:8000).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
cd "$STELLARS_ROOT"

# The state is its owner's only: the database holds password and token
# hashes, the folder the cookie secret and the admin password. A folder from
# an earlier demo may have been made readable by others.
state=$(realpath -m -- "${STELLARS_DEMO_STATE:-$STELLARS_ROOT/.state}")
(umask 077 && mkdir -p "$state")
chmod -R go-rwx "$state"
tools_bin=$(scripts/bootstrap-tools.sh | tail -n 1)
# --inexact: keep JupyterLab when the local-spawner fallback below added it.
# Into .venv whatever environment the caller has active (a nox session
# exports its own in UV_PROJECT_ENVIRONMENT): the hub runs from .venv below.
export UV_PROJECT_ENVIRONMENT="$STELLARS_ROOT/.venv"
"$tools_bin/uv" sync --locked --inexact --quiet
chp_bin=$(scripts/provision-chp.sh | tail -n 1)
export PATH="$chp_bin:$PATH"

docker_was_up=false
docker info >/dev/null 2>&1 && docker_was_up=true
# By absolute path: the hub runs from the state folder, so a relative one
# would not be found when Ctrl-C lands.
stop_started_services() {
    if [[ $docker_was_up == false ]]; then
        "$STELLARS_ROOT/scripts/stop-services.sh" docker || true
    else
        log "the Docker engine was running before the demo: left running"
    fi
}
trap stop_started_services EXIT

# Plain HTTP: the demo listens on 127.0.0.1 only, so nothing crosses a network,
# and a browser opens it without a certificate warning. A deployment keeps the
# default (1: the proxy serves HTTPS).
export JUPYTERHUB_SSL_ENABLED=0
export JUPYTERHUB_BIND_URL="${JUPYTERHUB_BIND_URL:-http://127.0.0.1:8000}"
export JUPYTERHUB_DB_URL="sqlite:///$state/jupyterhub.sqlite"
if scripts/provision-docker.sh && lab_image=$(scripts/provision-lab-image.sh | tail -n 1); then
    subnet=$(docker network inspect bridge --format '{{(index .IPAM.Config 0).Subnet}}')
    bridge_ip=$(python3 -c 'import ipaddress, sys; print(next(ipaddress.ip_network(sys.argv[1]).hosts()))' "$subnet")
    # Lab containers call the hub's API; it listens on the bridge, not on every interface.
    export JUPYTERHUB_SPAWNER=docker JUPYTERHUB_NOTEBOOK_IMAGE="$lab_image"
    export JUPYTERHUB_HUB_BIND_URL="http://$bridge_ip:8081"
else
    log "WARNING: no Docker engine: servers will run as local processes, without containers"
    log "WARNING: or per-user volumes. Install Docker for the real platform."
    "$tools_bin/uv" pip install --quiet --python .venv "jupyterlab>=4,<5"
    export JUPYTERHUB_SPAWNER=local
fi

password_file="$state/admin-password"
if [[ ! -s $password_file ]]; then
    (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(18))' >"$password_file")
fi
export JUPYTERHUB_ADMIN="${JUPYTERHUB_ADMIN:-admin}"
export JUPYTERHUB_ADMIN_PASSWORD_FILE="$password_file"

cat >&2 <<MSG

  Stellars Hub: $JUPYTERHUB_BIND_URL
  log in as:    $JUPYTERHUB_ADMIN
  password:     $(cat "$password_file")   (kept in $password_file; applied on the first start)
  stop with:    Ctrl-C

MSG
cd "$state"
# Only now: the images built above must stay readable inside the containers.
umask 077
"$STELLARS_ROOT/.venv/bin/jupyterhub" -f "$STELLARS_ROOT/deploy/jupyterhub_config.py" "$@"
