# shellcheck shell=bash
# Helpers shared by the provisioning scripts; source it, don't run it.
#
# Conventions every script follows:
#   - progress and the one-line summary go to stderr (log), so that stdout
#     carries only the value a caller wants (a path, a URL, an image tag);
#   - noisy tools (apt, npm, debootstrap, docker build) write to
#     .cache/logs/<name>.log and only their tail is shown when they fail;
#   - all state lives under <repo>/.cache, whatever the current directory is.

# Derive the repo root from this file's own location so the scripts behave
# the same whether they are called from the root, a package dir or CI.
STELLARS_ROOT=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
STELLARS_CACHE="$STELLARS_ROOT/.cache"
STELLARS_LOGS="$STELLARS_CACHE/logs"
# Name used as the log prefix: the calling script's name without ".sh".
STELLARS_TAG=$(basename -- "${0%.sh}")

log() { printf '%s: %s\n' "$STELLARS_TAG" "$*" >&2; }

die() {
    log "error: $*"
    exit 1
}

ensure_cache_dir() { mkdir -p -- "$STELLARS_CACHE" "$STELLARS_LOGS"; }

# Seconds since the epoch with a fraction; used to report step timings.
now_s() { date +%s.%N; }

# Elapsed seconds since a now_s stamp, rounded to a whole number.
elapsed_since() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.0f", b - a }'; }

# run_logged NAME CMD...: run CMD with its output appended to
# .cache/logs/NAME.log; on failure show the tail so CI logs say why.
run_logged() {
    local name=$1
    shift
    ensure_cache_dir
    local logfile="$STELLARS_LOGS/$name.log"
    printf '\n=== %s: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$logfile"
    if "$@" >>"$logfile" 2>&1; then
        return 0
    else
        local rc=$?
        log "'$*' failed (exit $rc); last lines of $logfile:"
        tail -n 40 -- "$logfile" >&2
        return "$rc"
    fi
}

is_debian_like() {
    [[ -r /etc/os-release ]] || return 1
    local id id_like
    # shellcheck disable=SC1091 # os-release is plain KEY=value, read in a subshell
    id=$(. /etc/os-release && printf '%s' "${ID:-}")
    # shellcheck disable=SC1091
    id_like=$(. /etc/os-release && printf '%s' "${ID_LIKE:-}")
    [[ " $id $id_like " == *" debian "* || " $id $id_like " == *" ubuntu "* ]] &&
        command -v apt-get >/dev/null 2>&1
}

# We only install system packages where we know how (apt) and may (root);
# anywhere else tell the user exactly what to install themselves.
require_root_debian_or_fail() {
    local what=$1
    if [[ $(id -u) -ne 0 ]]; then
        die "need $what, which is missing; install it yourself (automatic install needs root on Debian/Ubuntu)"
    fi
    if ! is_debian_like; then
        die "need $what, which is missing; install it yourself (automatic install only works on Debian/Ubuntu with apt)"
    fi
}

pkg_installed() {
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

# apt_install PKG...: install only the packages that are missing.  The index
# refresh is done once per machine-hour (a stamp in .cache) rather than once
# per script, because provision-all calls several scripts that may each need
# a package on a fresh CI machine.
apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        pkg_installed "$pkg" || missing+=("$pkg")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    require_root_debian_or_fail "${missing[*]}"
    ensure_cache_dir
    local stamp="$STELLARS_CACHE/apt-update.stamp"
    if [[ -z $(find "$stamp" -mmin -60 2>/dev/null) ]]; then
        log "apt-get update"
        run_logged apt env DEBIAN_FRONTEND=noninteractive apt-get update ||
            die "apt-get update failed"
        touch -- "$stamp"
    fi
    log "apt-get install ${missing[*]}"
    # No recommends: CI only needs the packages themselves, and recommends
    # (desktop helpers for chromium, apparmor/git for docker.io) cost minutes.
    run_logged apt env DEBIAN_FRONTEND=noninteractive apt-get install -y \
        --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}" ||
        die "apt-get install ${missing[*]} failed"
}

# wait_until TIMEOUT_S CMD...: poll CMD (quietly) until it succeeds; returns 1
# after TIMEOUT_S seconds.  Polls every 0.2 s so fast services cost little.
wait_until() {
    local timeout=$1
    shift
    local deadline
    deadline=$(awk -v t="$timeout" -v n="$(now_s)" 'BEGIN { printf "%.3f", n + t }')
    while :; do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        if awk -v d="$deadline" -v n="$(now_s)" 'BEGIN { exit !(n >= d) }'; then
            return 1
        fi
        sleep 0.2
    done
}

# pid_alive PID [COMM]: the process exists (and, if given, is named COMM).
pid_alive() {
    local pid=$1 comm=${2:-}
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    [[ -z $comm ]] || [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$comm" ]]
}

# Newest PostgreSQL server bin dir from Debian's layout, or nothing.
pg_bindir() {
    local ctl
    ctl=$(compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' | sort -V | tail -n 1) || true
    [[ -n $ctl ]] && dirname -- "$ctl"
}

# Where our PostgreSQL cluster lives: .cache/postgres itself, or, when the
# postgres user cannot reach into the checkout (e.g. it sits under /root),
# the directory that .cache/postgres links to.  Empty when never provisioned.
pg_state_dir() {
    local link="$STELLARS_CACHE/postgres"
    [[ -e $link ]] || return 1
    readlink -f -- "$link"
}

# Run a command as the postgres user from a directory it can read: the
# server tools refuse to run as root and dislike an unreadable cwd.
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

# --- locally built images, tagged <repo>:<content hash> and <repo>:latest --

# image_id NAME: print the image's id; fails when there is no such image.
image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null; }

# exit_if_built CONTENT_TAG LATEST_TAG: when this exact content was built
# before, make sure LATEST_TAG points at it (an older build may have moved
# it), print LATEST_TAG and exit the script; else return.
exit_if_built() {
    local content_tag=$1 latest_tag=$2 content_id
    content_id=$(image_id "$content_tag") || return 0
    if [[ $(image_id "$latest_tag" || true) != "$content_id" ]]; then
        docker tag "$content_tag" "$latest_tag"
        log "$content_tag already built; retagged it as $latest_tag"
    else
        log "$content_tag already built (= $latest_tag)"
    fi
    printf '%s\n' "$latest_tag"
    exit 0
}

# build_on_debian_base REPO DIR LOG_NAME: build DIR/Dockerfile on the
# debootstrapped Debian base (provision-lab-image.sh makes it) as REPO:latest
# and REPO:<hash of DIR's files>, print REPO:latest and exit the script. An
# unchanged DIR skips the build. For the small images that install Debian
# packages and nothing else: the swarm node, the stack's PostgreSQL and
# registry.
build_on_debian_base() {
    local repo=$1 dir=$2 log_name=$3 base_image=stellars-debian-base:bookworm
    local hash content_tag latest_tag t0
    [[ -f $dir/Dockerfile ]] || die "missing $dir/Dockerfile"
    if ! timeout 10 docker info >/dev/null 2>&1; then
        "$STELLARS_ROOT/scripts/provision-docker.sh"
    fi
    hash=$(cd -- "$dir" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum |
        sha256sum | cut -c1-12)
    content_tag="$repo:$hash"
    latest_tag="$repo:latest"
    exit_if_built "$content_tag" "$latest_tag"
    if ! image_id "$base_image" >/dev/null; then
        log "$base_image missing; provision-lab-image.sh makes it"
        "$STELLARS_ROOT/scripts/provision-lab-image.sh" >/dev/null ||
            die "provision-lab-image.sh failed"
    fi
    log "docker build $content_tag (apt installs its packages; a minute or two)"
    t0=$(now_s)
    run_logged "$log_name" docker build --force-rm --build-arg "BASE_IMAGE=$base_image" \
        --label "org.stellars-hub.content-hash=$hash" \
        -t "$content_tag" -t "$latest_tag" "$dir" || die "docker build failed"
    remove_superseded_tags "$repo" "$hash"
    log "built $content_tag = $latest_tag in $(elapsed_since "$t0")s"
    printf '%s\n' "$latest_tag"
    exit 0
}

# remove_superseded_tags REPO HASH: remove REPO's other content-hash tags,
# those no container still uses.
remove_superseded_tags() {
    local repo=$1 hash=$2 old old_tags
    old_tags=$(docker image ls --format '{{.Tag}}' "$repo" | grep -E '^[0-9a-f]{12}$' | grep -vx -- "$hash" || true)
    for old in $old_tags; do
        docker rmi "$repo:$old" >/dev/null 2>&1 || true
    done
}

# npm_install_into PREFIX LOG_NAME PACKAGE_SPEC: install one npm package
# (and what it needs) into PREFIX/node_modules, not globally, installing
# Node.js first where it is missing. Its output goes to LOG_NAME's log.
npm_install_into() {
    local prefix=$1 log_name=$2 spec=$3
    if ! command -v npm >/dev/null 2>&1; then
        apt_install nodejs npm
    fi
    ensure_cache_dir
    mkdir -p -- "$prefix"
    # Behind a TLS-intercepting proxy node must trust the system bundle; adding
    # it is harmless elsewhere.
    if [[ -z ${NODE_EXTRA_CA_CERTS:-} && -r /etc/ssl/certs/ca-certificates.crt ]]; then
        export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
    fi
    log "npm install $spec into $prefix"
    run_logged "$log_name" npm install --prefix "$prefix" --no-audit --no-fund --omit=dev \
        "$spec" || die "npm install $spec failed"
}
