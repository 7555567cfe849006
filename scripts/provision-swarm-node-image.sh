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

base_image=stellars-debian-base:bookworm
node_repo=stellars-swarm-node
node_dir="$STELLARS_ROOT/testing/swarm-node"

[[ -f $node_dir/Dockerfile ]] || die "missing $node_dir/Dockerfile"
if ! timeout 10 docker info >/dev/null 2>&1; then
    "$STELLARS_ROOT/scripts/provision-docker.sh"
fi

hash=$(cd -- "$node_dir" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum |
    sha256sum | cut -c1-12)
content_tag="$node_repo:$hash"
latest_tag="$node_repo:latest"
exit_if_built "$content_tag" "$latest_tag"

if ! image_id "$base_image" >/dev/null; then
    log "$base_image missing; provision-lab-image.sh makes it"
    "$STELLARS_ROOT/scripts/provision-lab-image.sh" >/dev/null || die "provision-lab-image.sh failed"
fi

log "docker build $content_tag (apt installs docker.io; a minute or two)"
t0=$(now_s)
run_logged swarm-node-image docker build --force-rm --build-arg "BASE_IMAGE=$base_image" \
    --label "org.stellars-hub.content-hash=$hash" \
    -t "$content_tag" -t "$latest_tag" "$node_dir" || die "docker build failed"
remove_superseded_tags "$node_repo" "$hash"
log "built $content_tag = $latest_tag in $(elapsed_since "$t0")s"
printf '%s\n' "$latest_tag"
