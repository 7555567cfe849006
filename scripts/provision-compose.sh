#!/usr/bin/env bash
# Make sure a Docker Compose implementation is there, for the deploy test that
# runs deploy/compose.yml.  No registry serves the compose plugin here, so the
# fallback is Debian's docker-compose (compose v1, packaged with the Python
# libraries it needs; PyPI's copy no longer installs with current ones).
# Last stdout line: the path of a `docker-compose` executable (v1, or the v2
# plugin binary, which runs standalone under that name too).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

# Where the v2 plugin lands when a developer installed it from Docker's own
# packages; any of these also works called directly.
plugin_dirs=(/usr/libexec/docker/cli-plugins /usr/lib/docker/cli-plugins
    /usr/local/lib/docker/cli-plugins "$HOME/.docker/cli-plugins")

find_compose() {
    local candidate dir
    candidate=$(command -v docker-compose 2>/dev/null) && [[ -x $candidate ]] &&
        printf '%s\n' "$candidate" && return 0
    for dir in "${plugin_dirs[@]}"; do
        [[ -x $dir/docker-compose ]] && printf '%s\n' "$dir/docker-compose" && return 0
    done
    return 1
}

if ! compose=$(find_compose); then
    apt_install docker-compose
    hash -r
    compose=$(find_compose) || die "docker-compose not found after installing it"
fi
version=$("$compose" version --short 2>/dev/null) || die "'$compose version' fails"
log "docker-compose $version at $compose"
printf '%s\n' "$compose"
