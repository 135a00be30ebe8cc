#!/bin/sh
# The streaming replica (docker-compose.yml, profile "replica"). On its first start the empty data
# directory is filled by pg_basebackup from the primary ("postgres"), -R writing standby.signal and the
# connection to the primary; then PostgreSQL runs as a hot standby: read-only, following the primary's WAL
# as it is written. The web app and the workers read the statistics from it (DATABASE_REPLICA_URL).
#
# A base backup interrupted half-way is started again from scratch; a finished one is marked
# (aixin-basebackup.done), so a standby promoted to primary is never wiped. To rebuild the replica (it
# fell further behind than the primary keeps WAL for: wal_keep_size), remove its volume:
#   docker compose --profile replica rm -sf postgres-replica && docker volume rm <project>_postgres-replica-data
set -eu

PGDATA="${PGDATA:-/var/lib/postgresql/data}"
PRIMARY_HOST="${PRIMARY_HOST:-postgres}"
DONE="$PGDATA/aixin-basebackup.done"

if [ "$(id -u)" = "0" ]; then  # the image starts as root: own the volume, then go on as postgres
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    exec gosu postgres sh "$0" "$@"
fi

if [ ! -f "$DONE" ]; then
    if [ -z "${PGPASSWORD:-}" ]; then
        echo "standby: set POSTGRES_REPLICATION_PASSWORD (in .env, for both postgres and postgres-replica)" >&2
        exit 1
    fi
    until pg_isready -q -h "$PRIMARY_HOST" -p 5432; do
        echo "standby: waiting for the primary ($PRIMARY_HOST:5432)"
        sleep 2
    done
    find "$PGDATA" -mindepth 1 -delete  # what an interrupted base backup left
    # PGPASSWORD (POSTGRES_REPLICATION_PASSWORD) authenticates the replicator role.
    pg_basebackup --host="$PRIMARY_HOST" --port=5432 --username=replicator --pgdata="$PGDATA" \
        --write-recovery-conf --wal-method=stream --checkpoint=fast --no-password --progress
    chmod 700 "$PGDATA"
    touch "$DONE"
fi

exec postgres -c hot_standby=on
