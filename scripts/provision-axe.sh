#!/usr/bin/env bash
# Install axe-core (the accessibility rules the browser tests check every
# page against) into .cache/axe. Last stdout line: the path of axe.min.js,
# which stellars_testing.browser injects into a page.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

# Pinned: a new rule set can turn a green page red; upgrade on purpose.
AXE_VERSION=4.14.1
prefix="$STELLARS_CACHE/axe"
script="$prefix/node_modules/axe-core/axe.min.js"
manifest="$prefix/node_modules/axe-core/package.json"

installed_version() {
    [[ -r $script && -r $manifest ]] || return 1
    sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$manifest" | head -n 1
}

if [[ $(installed_version || true) == "$AXE_VERSION" ]]; then
    log "axe-core $AXE_VERSION already in $prefix"
    printf '%s\n' "$script"
    exit 0
fi

npm_install_into "$prefix" axe "axe-core@$AXE_VERSION"

[[ $(installed_version || true) == "$AXE_VERSION" ]] || die "axe-core $AXE_VERSION not in $prefix after npm install"
log "installed axe-core $AXE_VERSION in $prefix"
printf '%s\n' "$script"
