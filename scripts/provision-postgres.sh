#!/usr/bin/env bash
# Run a private, throwaway PostgreSQL cluster for the tests: data and socket
# under .cache/postgres, TCP on 127.0.0.1 only, so it never collides with a
# system cluster and a clone can wipe it with `rm -rf .cache`.
# Last stdout line: the connection URL for the tests.
#
# Env: STELLARS_PG_PORT (default 54329).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

port=${STELLARS_PG_PORT:-54329}
[[ $port =~ ^[0-9]+$ ]] || die "STELLARS_PG_PORT must be a port number, got '$port'"
role=stellars
password=stellars
database=stellars_test
url="postgresql://$role:$password@127.0.0.1:$port/$database"
# A stuck server must not hang provisioning forever.
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10}

pgbin=$(pg_bindir || true)
if [[ -z $pgbin ]]; then
    apt_install postgresql
    pgbin=$(pg_bindir) || die "pg_ctl not found under /usr/lib/postgresql/*/bin after installing postgresql"
fi
id postgres >/dev/null 2>&1 || die "no 'postgres' system user; reinstall Debian's postgresql"
# Starting the server needs runuser, i.e. root; say so instead of failing oddly.
[[ $(id -u) -eq 0 ]] || require_root_debian_or_fail "a PostgreSQL server on 127.0.0.1:$port (role $role/$password, database $database)"

# Port of the live server of data dir $1, or fail when none is running.
running_port() {
    local pidfile="$1/postmaster.pid" pid
    [[ -r $pidfile ]] || return 1
    pid=$(sed -n 1p "$pidfile")
    pid_alive "$pid" postgres || return 1
    sed -n 4p "$pidfile"
}

# The role can log in with its password over TCP, owns a CREATEDB grant and
# the database exists: exactly what the tests rely on.
provisioned() {
    [[ $("$pgbin/psql" -X -qtA -d "$url" -c 'SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user' 2>/dev/null) == t ]]
}

# Fast path: a cluster of ours is up on the requested port and ready.
if home=$(pg_state_dir) && [[ $(running_port "$home/data" || true) == "$port" ]] && provisioned; then
    log "reusing running cluster in $home/data on 127.0.0.1:$port"
    printf '%s\n' "$url"
    exit 0
fi

# Pick the state dir once.  The server runs as 'postgres', which must be able
# to walk down to its data dir; a checkout under a private home (/root is
# 0700) does not allow that, so then the cluster lives under postgres's own
# home and .cache/postgres is a symlink to it.  Nothing outside .cache
# changes permissions.
if ! home=$(pg_state_dir); then
    ensure_cache_dir
    chmod o+x -- "$STELLARS_CACHE"
    if as_postgres test -x "$STELLARS_CACHE"; then
        home="$STELLARS_CACHE/postgres"
        mkdir -p -- "$home"
    else
        pg_home=$(getent passwd postgres | cut -d: -f6)
        home="$pg_home/stellars-hub/$(printf '%s' "$STELLARS_ROOT" | sha256sum | cut -c1-12)"
        mkdir -p -- "$home"
        ln -sfn -- "$home" "$STELLARS_CACHE/postgres"
        log "postgres cannot reach $STELLARS_CACHE; cluster lives in $home (linked from .cache/postgres)"
    fi
fi
chown postgres:postgres -- "$home"
chmod 0700 -- "$home"
data="$home/data"
server_log="$home/server.log"

current=$(running_port "$data" || true)
if [[ -n $current && $current != "$port" ]]; then
    log "cluster runs on port $current, restarting it on $port"
    as_postgres "$pgbin/pg_ctl" -D "$data" -m fast -w -s stop
    current=""
fi

started=""
if [[ -z $current ]]; then
    if [[ ! -f $data/PG_VERSION ]]; then
        # Local socket: trust (only root and postgres can open the 0700 dir).
        # TCP: real password check, so a wrong URL fails like in production.
        run_logged postgres as_postgres "$pgbin/initdb" -D "$data" -U postgres \
            --auth-local=trust --auth-host=scram-sha-256 \
            --encoding=UTF8 --locale=C.UTF-8 --no-sync ||
            die "initdb failed"
        printf "\ninclude 'stellars.conf'\n" >>"$data/postgresql.conf"
    fi
    major=$(basename -- "$(dirname -- "$pgbin")")
    if [[ $(cat "$data/PG_VERSION") != "$major" ]]; then
        die "$data was made by PostgreSQL $(cat "$data/PG_VERSION"), server is $major; remove $home and rerun"
    fi
    # Rewritten on every start so STELLARS_PG_PORT changes take effect.
    # fsync and friends are off: this is disposable test data and tests that
    # create and drop databases run several times faster without syncs.
    cat >"$data/stellars.conf" <<EOF
# Written by scripts/provision-postgres.sh; rewritten on each start.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$home'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    chown postgres:postgres -- "$data/stellars.conf"
    if ! as_postgres "$pgbin/pg_ctl" -D "$data" -l "$server_log" -w -t 30 -s start; then
        log "server did not start; last lines of $server_log:"
        tail -n 20 -- "$server_log" >&2 || true
        exit 1
    fi
    started=yes
fi

# Superuser over the private socket, idempotent: create or fix the role,
# then create the database only if missing.
"$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$home" -p "$port" -U postgres -d postgres >/dev/null <<SQL ||
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$role') THEN
        CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password';
    ELSE
        ALTER ROLE $role LOGIN CREATEDB PASSWORD '$password';
    END IF;
END
\$\$;
SELECT 'CREATE DATABASE $database OWNER $role'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$database') \gexec
SQL
    die "could not create role $role / database $database"

provisioned || die "cluster is up but $url does not work"
if [[ -n $started ]]; then
    log "started cluster in $data on 127.0.0.1:$port (log $server_log)"
else
    log "cluster in $data was running; ensured role $role and database $database"
fi
printf '%s\n' "$url"
