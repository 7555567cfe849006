#!/usr/bin/env bash
# Install configurable-http-proxy (the proxy JupyterHub drives) into
# .cache/chp, not globally, so tests get a pinned major without touching the
# system's node setup.  Last stdout line: the bin dir to prepend to PATH.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

CHP_MAJOR=4
prefix="$STELLARS_CACHE/chp"
bin_dir="$prefix/node_modules/.bin"
chp="$bin_dir/configurable-http-proxy"

# Installed and runnable with the right major: nothing to do.
installed_version() {
    [[ -x $chp ]] || return 1
    local v
    v=$("$chp" --version 2>/dev/null) || return 1
    [[ $v == "$CHP_MAJOR".* ]] || return 1
    printf '%s\n' "$v"
}

if version=$(installed_version); then
    log "configurable-http-proxy $version already in $bin_dir"
    printf '%s\n' "$bin_dir"
    exit 0
fi

npm_install_into "$prefix" chp "configurable-http-proxy@^$CHP_MAJOR"

version=$(installed_version) || die "configurable-http-proxy installed but '$chp --version' fails"
log "installed configurable-http-proxy $version in $bin_dir"
printf '%s\n' "$bin_dir"
