#!/usr/bin/env bash
# Build the JupyterLab single-user image (deploy/lab/Dockerfile) without any
# container registry: the Debian base is made here with debootstrap and
# `docker import`, and the Dockerfile only pip-installs on top of it.
#
# Tags: stellars-hub-lab:latest and stellars-hub-lab:<content hash>, the hash
# covering deploy/lab/* and the build args, so an unchanged tree skips the
# build.  Last stdout line: stellars-hub-lab:latest.
#
# Env: STELLARS_LAB_JUPYTERHUB_VERSION  pip spec for jupyterhub, e.g. "==5.3.0"
#                                       (default: the Dockerfile's ">=5.5.1,<7");
#      STELLARS_DEBIAN_MIRROR           debootstrap mirror (deb.debian.org);
#      STELLARS_BUILD_CA_BUNDLE         CA bundle pip trusts during the build
#                                       (/etc/ssl/certs/ca-certificates.crt).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

base_image=stellars-debian-base:bookworm
lab_repo=stellars-hub-lab
lab_dir="$STELLARS_ROOT/deploy/lab"
mirror=${STELLARS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
jupyterhub_spec=${STELLARS_LAB_JUPYTERHUB_VERSION:-}
ca_bundle=${STELLARS_BUILD_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
state="$STELLARS_CACHE/lab-image"

[[ -f $lab_dir/Dockerfile ]] || die "missing $lab_dir/Dockerfile"

# The daemon is a prerequisite; provision-docker is a no-op when it answers.
if ! timeout 10 docker info >/dev/null 2>&1; then
    "$STELLARS_ROOT/scripts/provision-docker.sh"
fi

# Content tag: every file in deploy/lab (names and bytes) plus the build
# args we pass, so changing either produces a new tag and a rebuild.
content_hash() {
    {
        (cd -- "$lab_dir" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
        printf 'JUPYTERHUB_VERSION=%s\n' "$jupyterhub_spec"
    } | sha256sum | cut -c1-12
}
hash=$(content_hash)
content_tag="$lab_repo:$hash"
latest_tag="$lab_repo:latest"

# Fast path: this exact content was built before.
exit_if_built "$content_tag" "$latest_tag"

mkdir -p -- "$state"
work=""
# Remove the temporary rootfs / build context even when a step fails.
# debootstrap mounts proc and sys inside the target and can leave them
# mounted on failure, so unmount first and never cross filesystems.
build_started=""
cleanup() {
    # The classic builder keeps the build stage as untagged images (one holds
    # the CA bundle), also when the build fails; drop exactly those.
    if [[ -n $build_started ]]; then
        docker image prune -f --filter label=org.stellars-hub.role=lab-build-stage >/dev/null 2>&1 || true
    fi
    [[ -n $work && -d $work ]] || return 0
    local m
    awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r |
        while read -r m; do umount -l -- "$m" 2>/dev/null || true; done
    rm -rf --one-file-system -- "$work"
}
trap cleanup EXIT
# Turn Ctrl-C / a CI timeout into a normal exit so the EXIT trap cleans up.
trap 'exit 130' INT
trap 'exit 143' TERM
work=$(mktemp -d "$state/tmp.XXXXXX")

timings=()

# --- base image: debootstrap + import, skipped when it already exists -------
if image_id "$base_image" >/dev/null; then
    timings+=("base image reused")
else
    command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
    # Debian's archive key, also needed when the host is Ubuntu.
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    [[ -r $keyring ]] || apt_install debian-archive-keyring
    rootfs="$work/rootfs"
    log "debootstrap bookworm (minbase) from $mirror into a temporary rootfs"
    t0=$(now_s)
    # python3-venv brings ensurepip for the venv; tini is the container's
    # init; ca-certificates lets pip reach PyPI when there is no proxy.
    run_logged debootstrap debootstrap --variant=minbase --keyring="$keyring" \
        --include=python3,python3-venv,ca-certificates,tini \
        bookworm "$rootfs" "$mirror" || die "debootstrap failed"
    # Package lists and downloaded .debs only bloat the image.
    rm -rf -- "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
        "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/tmp/* "$rootfs"/var/tmp/*
    t_debootstrap=$(elapsed_since "$t0")
    t0=$(now_s)
    tar --numeric-owner -C "$rootfs" -c . |
        docker import \
            --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'ENV LANG=C.UTF-8' \
            --change 'LABEL org.stellars-hub.role=base-image' \
            --change 'CMD ["/bin/bash"]' \
            - "$base_image" >/dev/null || die "docker import of the rootfs failed"
    rm -rf --one-file-system -- "$rootfs"
    timings+=("debootstrap ${t_debootstrap}s" "import $(elapsed_since "$t0")s")
fi

# --- lab image ------------------------------------------------------------
[[ -r $ca_bundle ]] || die "CA bundle $ca_bundle not found; set STELLARS_BUILD_CA_BUNDLE"
context="$work/context"
mkdir -p -- "$context"
cp -a -- "$lab_dir/." "$context/"
cp -- "$ca_bundle" "$context/build-ca.crt"
build_args=(--build-arg "BASE_IMAGE=$base_image")
if [[ -n $jupyterhub_spec ]]; then
    build_args+=(--build-arg "JUPYTERHUB_VERSION=$jupyterhub_spec")
fi
log "docker build $content_tag (pip installs JupyterHub/JupyterLab; a few minutes)"
t0=$(now_s)
build_started=yes
# --force-rm: a failed RUN step otherwise leaves its container behind, which
# pins the build-stage images so cleanup cannot remove them.
run_logged lab-image docker build --force-rm "${build_args[@]}" \
    --label "org.stellars-hub.content-hash=$hash" \
    -t "$content_tag" -t "$latest_tag" "$context" || die "docker build failed"
timings+=("docker build $(elapsed_since "$t0")s")

# Older content tags of ours are superseded; remove those no container uses.
remove_superseded_tags "$lab_repo" "$hash"

# Smoke test: an image that cannot even report its version is useless.
version=$(docker run --rm "$content_tag" jupyterhub-singleuser --version 2>/dev/null) ||
    die "built $content_tag but 'jupyterhub-singleuser --version' fails in it"

cleanup
summary=$(printf '%s, ' "${timings[@]}")
log "built $content_tag = $latest_tag (jupyterhub $version; ${summary%, })"
printf '%s\n' "$latest_tag"
