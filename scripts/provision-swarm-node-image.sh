#!/usr/bin/env bash
# Build the image of a test swarm node (testing/swarm-node/Dockerfile): a
# Docker engine in a container, from the debootstrapped Debian base that
# provision-lab-image.sh makes, with Debian's docker.io. No registry.
#
# Tags: stellars-swarm-node:latest and stellars-swarm-node:<content hash>
# (testing/swarm-node/*), so an unchanged tree skips the build.
# Last stdout line: stellars-swarm-node:latest.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

build_on_debian_base stellars-swarm-node "$STELLARS_ROOT/testing/swarm-node" swarm-node-image
