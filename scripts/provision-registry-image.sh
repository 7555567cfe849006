#!/usr/bin/env bash
# Build the image registry of the swarm stack (deploy/registry/Dockerfile):
# Debian's docker-registry on the debootstrapped Debian base that
# provision-lab-image.sh makes. No registry is needed to build it.
#
# Tags: stellars-hub-registry:latest and stellars-hub-registry:<content hash>
# (deploy/registry/*), so an unchanged tree skips the build.
# Last stdout line: stellars-hub-registry:latest.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

build_on_debian_base stellars-hub-registry "$STELLARS_ROOT/deploy/registry" registry-image
