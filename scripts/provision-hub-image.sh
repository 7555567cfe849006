#!/usr/bin/env bash
# Build the Stellars Hub image (deploy/hub/Dockerfile) without any container
# registry, on the Debian base that provision-lab-image.sh bootstraps.
#
# The build context is assembled here: the platform's six packages as
# wheels (uv build), their third-party dependencies exported from uv.lock
# with hashes (the workspace asks for stellars-hub[docker] and
# stellars-ui[docker], so the Docker extra's dependencies are among them), deploy/jupyterhub_config.py, and the host's CA bundle; and for
# the stage that runs the packages' unit tests: their tests, the docs those
# compare with, stellars-testing as a wheel and its dependencies (hashed).
#
# Tags: stellars-hub:latest and stellars-hub:<content hash>, the hash covering
# deploy/hub/*, deploy/jupyterhub_config.py, uv.lock, the files of each
# package that go into its wheel, its tests, stellars-testing, the docs the
# tests read and the build args, so an unchanged tree skips the build.  Last stdout line: stellars-hub:latest.
#
# Env: STELLARS_DEBIAN_SECURITY_MIRROR  apt source for bookworm-security in the
#                                       image (deb.debian.org/debian-security;
#                                       empty: none);
#      STELLARS_BUILD_CA_BUNDLE         CA bundle pip trusts during the build
#                                       (/etc/ssl/certs/ca-certificates.crt).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

base_image=stellars-debian-base:bookworm
hub_repo=stellars-hub
hub_dir="$STELLARS_ROOT/deploy/hub"
hub_config="$STELLARS_ROOT/deploy/jupyterhub_config.py"
packages=(stellars-core stellars-auth stellars-docker stellars-activity stellars-ui stellars-hub)
testing_dir=testing/stellars-testing
# What the packages' unit tests read from outside their package.
test_docs=(docs/settings.md)
security_mirror=${STELLARS_DEBIAN_SECURITY_MIRROR-http://deb.debian.org/debian-security}
ca_bundle=${STELLARS_BUILD_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
state="$STELLARS_CACHE/hub-image"

[[ -f $hub_dir/Dockerfile ]] || die "missing $hub_dir/Dockerfile"
[[ -f $hub_config ]] || die "missing $hub_config"

if ! timeout 10 docker info >/dev/null 2>&1; then
    "$STELLARS_ROOT/scripts/provision-docker.sh"
fi

# The files of a package that the image build reads: what git would keep
# (hatchling skips git-ignored files too, so caches and build leftovers change
# nothing), minus the changelog, which no wheel carries. The tests are in: the
# build runs them.
package_files() {
    local dir=$1
    if git -C "$STELLARS_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$STELLARS_ROOT" ls-files -z --cached --others --exclude-standard -- "$dir"
    else
        (cd -- "$STELLARS_ROOT" && find "$dir" -type f ! -path '*/__pycache__/*' -print0)
    fi | grep -zv -e '/CHANGELOG.md$'
}

# package_dir NAME: a package's folder, relative to the root.
package_dir() {
    if [[ $1 == */* ]]; then printf '%s' "$1"; else printf 'packages/%s' "$1"; fi
}

content_hash() {
    {
        (cd -- "$hub_dir" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
        (cd -- "$STELLARS_ROOT" && sha256sum deploy/jupyterhub_config.py uv.lock "${test_docs[@]}")
        local pkg
        for pkg in "${packages[@]}" "$testing_dir"; do
            (
                cd -- "$STELLARS_ROOT"
                while IFS= read -r -d '' f; do
                    # Listed by git but deleted in the work tree: not in the wheel either.
                    if [[ -f $f ]]; then sha256sum -- "$f"; fi
                done < <(package_files "$(package_dir "$pkg")" | LC_ALL=C sort -z)
            )
        done
        printf 'DEBIAN_SECURITY_MIRROR=%s\n' "$security_mirror"
    } | sha256sum | cut -c1-12
}
hash=$(content_hash)
content_tag="$hub_repo:$hash"
latest_tag="$hub_repo:latest"

# Fast path: this exact content was built before.
exit_if_built "$content_tag" "$latest_tag"

# Every nox session provisions, and test.sh runs several streams of them:
# one build at a time, and whoever waited takes the fast path once it is done.
mkdir -p -- "$state"
exec {lock_fd}>"$state/build.lock"
if ! flock -n "$lock_fd"; then
    log "another build of the hub image is running; waiting for it"
    flock -w 1200 "$lock_fd" || die "waited 20 minutes for the other build"
fi
exit_if_built "$content_tag" "$latest_tag"

timings=()

# The base is made by the lab image's script (debootstrap + import); reuse
# that rather than a second copy of the bootstrap.  It builds the lab image
# too, which the hub needs anyway to spawn anything.
if ! image_id "$base_image" >/dev/null; then
    log "$base_image missing; provision-lab-image.sh makes it"
    t0=$(now_s)
    # Without our lock: a daemon it might start must not hold it forever.
    "$STELLARS_ROOT/scripts/provision-lab-image.sh" >/dev/null {lock_fd}>&- ||
        die "provision-lab-image.sh failed"
    image_id "$base_image" >/dev/null || die "provision-lab-image.sh did not make $base_image"
    timings+=("base image $(elapsed_since "$t0")s")
else
    timings+=("base image reused")
fi

[[ -r $ca_bundle ]] || die "CA bundle $ca_bundle not found; set STELLARS_BUILD_CA_BUNDLE"
uv="$("$STELLARS_ROOT/scripts/bootstrap-tools.sh" | tail -n 1)/uv"

work=""
cleanup() {
    [[ -n $work && -d $work ]] || return 0
    rm -rf --one-file-system -- "$work"
}
trap cleanup EXIT
# Turn Ctrl-C / a CI timeout into a normal exit so the EXIT trap cleans up.
trap 'exit 130' INT
trap 'exit 143' TERM
work=$(mktemp -d "$state/tmp.XXXXXX")
context="$work/context"
mkdir -p -- "$context/wheels"
cp -- "$hub_dir/Dockerfile" "$hub_dir/pip-install.sh" "$context/"
cp -- "$hub_config" "$context/jupyterhub_config.py"
cp -- "$ca_bundle" "$context/build-ca.crt"

t0=$(now_s)
# --locked: a uv.lock that no longer matches the packages' dependencies is
# an error here, not an image with other versions than the tests ran.
(cd -- "$STELLARS_ROOT" && run_logged hub-image "$uv" export --locked --no-dev \
    --no-emit-workspace --no-header --format requirements-txt \
    --output-file "$context/requirements.txt") || die "uv export from uv.lock failed"
for pkg in "${packages[@]}"; do
    run_logged hub-image "$uv" build --wheel --quiet --out-dir "$context/wheels" \
        "$STELLARS_ROOT/packages/$pkg" || die "building the wheel of $pkg failed"
done
(cd -- "$STELLARS_ROOT" && run_logged hub-image "$uv" export --locked --no-dev \
    --no-emit-workspace --no-header --package stellars-testing --format requirements-txt \
    --output-file "$context/test-requirements.txt") || die "uv export of the test tools failed"
run_logged hub-image "$uv" build --wheel --quiet --out-dir "$context/test-wheels" \
    "$STELLARS_ROOT/$testing_dir" || die "building the wheel of stellars-testing failed"
for pkg in "${packages[@]}"; do
    mkdir -p -- "$context/tests/packages/$pkg"
    cp -R -- "$STELLARS_ROOT/packages/$pkg/tests" "$context/tests/packages/$pkg/"
done
for doc in "${test_docs[@]}"; do
    mkdir -p -- "$context/tests/$(dirname -- "$doc")"
    cp -- "$STELLARS_ROOT/$doc" "$context/tests/$doc"
done
find "$context/tests" -name __pycache__ -prune -exec rm -rf -- {} +
timings+=("wheels $(elapsed_since "$t0")s")

# The deps stage is cached by the builder across builds; its label tells the
# current one from those a changed uv.lock (or Dockerfile) superseded.
deps_hash=$(cat "$context/requirements.txt" "$context/test-requirements.txt" \
    "$context/Dockerfile" "$context/pip-install.sh" | sha256sum | cut -c1-12)
build_args=(--build-arg "BASE_IMAGE=$base_image" --build-arg "DEPS_HASH=$deps_hash"
    --build-arg "DEBIAN_SECURITY_MIRROR=$security_mirror")
log "docker build $content_tag (a few minutes when uv.lock changed, seconds otherwise)"
t0=$(now_s)
# --force-rm: a failed RUN step otherwise leaves its container behind.
run_logged hub-image docker build --force-rm "${build_args[@]}" \
    --label "org.stellars-hub.content-hash=$hash" \
    -t "$content_tag" -t "$latest_tag" "$context" || die "docker build failed"
timings+=("docker build $(elapsed_since "$t0")s")

# Superseded content tags and deps stages of ours go; anything a container
# still uses stays.
remove_superseded_tags "$hub_repo" "$hash"
docker image prune -f --filter label=org.stellars-hub.role=hub-deps-stage \
    --filter "label!=org.stellars-hub.deps-hash=$deps_hash" >/dev/null 2>&1 || true

# Smoke test: the hub, its proxy, the platform and the PostgreSQL driver
# must all be there.
version=$(docker run --rm "$content_tag" sh -c \
    'configurable-http-proxy --version >/dev/null && python -c "import stellars_hub, psycopg" && jupyterhub --version' \
    2>/dev/null) || die "built $content_tag but jupyterhub, configurable-http-proxy, stellars_hub or psycopg is missing in it"

cleanup
summary=$(printf '%s, ' "${timings[@]}")
log "built $content_tag = $latest_tag (jupyterhub $version; ${summary%, })"
printf '%s\n' "$latest_tag"
