#!/usr/bin/env bash
# Provision everything the test suites need, in dependency order (the Docker
# daemon before the lab image), then print the values tests read as
# KEY=value lines on stdout, e.g.:
#   eval "$(scripts/provision-all.sh | sed 's/^/export /')"
#
# Usage: provision-all.sh [--only PART[,PART...]] [--except PART[,PART...]]
#   PARTs: docker chp postgres chromium axe lab-image hub-image compose swarm-node-image
#          postgres-image registry-image
#          (default: all)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

all_parts=(docker chp postgres chromium axe lab-image hub-image compose swarm-node-image
    postgres-image registry-image)

usage() {
    sed -n '/^# Usage:/,/^# *PARTs:/p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit "${1:-0}"
}

only=""
except=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --only) [[ $# -ge 2 ]] || usage 2; only=$2; shift 2 ;;
        --only=*) only=${1#--only=}; shift ;;
        --except) [[ $# -ge 2 ]] || usage 2; except=$2; shift 2 ;;
        --except=*) except=${1#--except=}; shift ;;
        -h | --help) usage 0 ;;
        *) log "unknown argument '$1'"; usage 2 ;;
    esac
done

selected=("${all_parts[@]}")
if [[ -n $only ]]; then
    IFS=, read -r -a wanted <<<"$only"
    for w in "${wanted[@]}"; do
        [[ " ${all_parts[*]} " == *" $w "* ]] || die "unknown part '$w' (parts: ${all_parts[*]})"
    done
    selected=()
    # Keep our dependency order whatever order the user listed them in.
    for p in "${all_parts[@]}"; do
        [[ ",$only," == *",$p,"* ]] && selected+=("$p")
    done
fi

if [[ -n $except ]]; then
    IFS=, read -r -a unwanted <<<"$except"
    for w in "${unwanted[@]}"; do
        [[ " ${all_parts[*]} " == *" $w "* ]] || die "unknown part '$w' (parts: ${all_parts[*]})"
    done
    kept=()
    for p in "${selected[@]}"; do
        [[ ",$except," == *",$p,"* ]] || kept+=("$p")
    done
    selected=("${kept[@]}")
fi

declare -A key_of=(
    [chp]=STELLARS_CHP_BIN_DIR
    [postgres]=STELLARS_TEST_POSTGRES_URL
    [chromium]=STELLARS_CHROMIUM
    [axe]=STELLARS_AXE_JS
    [lab-image]=STELLARS_LAB_IMAGE
    [hub-image]=STELLARS_HUB_IMAGE
    [compose]=STELLARS_COMPOSE
    [swarm-node-image]=STELLARS_SWARM_NODE_IMAGE
    [postgres-image]=STELLARS_POSTGRES_IMAGE
    [registry-image]=STELLARS_REGISTRY_IMAGE
)

t0=$(now_s)
summary=()
for part in "${selected[@]}"; do
    # Each script logs its own line on stderr; its last stdout line (if any)
    # is the value to export.
    out=$("$STELLARS_ROOT/scripts/provision-$part.sh") || die "provision-$part.sh failed"
    key=${key_of[$part]:-}
    if [[ -n $key ]]; then
        value=$(printf '%s\n' "$out" | tail -n 1)
        [[ -n $value ]] || die "provision-$part.sh printed no value"
        summary+=("$key=$value")
    fi
done

log "provisioned ${selected[*]} in $(elapsed_since "$t0")s"
if [[ ${#summary[@]} -gt 0 ]]; then
    printf '%s\n' "${summary[@]}"
fi
