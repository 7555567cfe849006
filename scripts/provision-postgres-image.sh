#!/usr/bin/env bash
# Build the PostgreSQL image of the swarm stack (deploy/postgres/Dockerfile):
# Debian's postgresql on the debootstrapped Debian base that
# provision-lab-image.sh makes. No registry.
#
# Tags: stellars-hub-postgres:latest and stellars-hub-postgres:<content hash>
# (deploy/postgres/*), so an unchanged tree skips the build.
# Last stdout line: stellars-hub-postgres:latest.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

build_on_debian_base stellars-hub-postgres "$STELLARS_ROOT/deploy/postgres" postgres-image
