#!/bin/sh
# Start PostgreSQL on $PGDATA, making the cluster first when the folder is
# empty: the role $POSTGRES_USER with the password in $POSTGRES_PASSWORD_FILE
# (a swarm secret) owning the database $POSTGRES_DB. Listens on every
# address (the stack's overlay) and asks everyone but the local postgres
# user for a password (scram-sha-256).
set -eu

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ ! -r "$POSTGRES_PASSWORD_FILE" ]; then
        echo "stellars-postgres: no password at POSTGRES_PASSWORD_FILE=$POSTGRES_PASSWORD_FILE" >&2
        exit 1
    fi
    password=$(cat "$POSTGRES_PASSWORD_FILE")
    if [ -z "$password" ]; then
        echo "stellars-postgres: $POSTGRES_PASSWORD_FILE is empty" >&2
        exit 1
    fi
    echo "stellars-postgres: making the cluster in $PGDATA (first start)"
    initdb --pgdata="$PGDATA" --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    # Only the local socket while the role is made: no one connects before
    # it has its password.
    pg_ctl --pgdata="$PGDATA" --wait --silent -o "-c listen_addresses=''" start
    # psql's variables quote the name and the password, whatever they hold.
    psql --quiet --no-psqlrc --set ON_ERROR_STOP=1 --dbname postgres \
        --set user="$POSTGRES_USER" --set password="$password" --set db="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"user" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"user";
SQL
    pg_ctl --pgdata="$PGDATA" --wait --silent stop
    # Every address may connect, with the role's password; the stack's
    # network decides who reaches the port at all.
    printf '%s\n' "host all all 0.0.0.0/0 scram-sha-256" "host all all ::/0 scram-sha-256" \
        >>"$PGDATA/pg_hba.conf"
    unset password
fi

exec postgres -D "$PGDATA" -c listen_addresses='*'
