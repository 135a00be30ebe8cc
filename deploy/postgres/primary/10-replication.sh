#!/bin/sh
# Streaming replication from the primary (docker-compose.yml, profile "replica"): a role that may only
# replicate, "replicator", with the password POSTGRES_REPLICATION_PASSWORD, allowed to stream from any
# address of the compose network (pg_hba.conf's "all" databases do not cover replication connections).
#
# The postgres image runs this once, when it creates the database (a new postgres-data volume). On a
# database created before, run it once by hand — it is idempotent, and reloads the configuration:
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/10-replication.sh
# Without POSTGRES_REPLICATION_PASSWORD it does nothing.
if [ -n "${POSTGRES_REPLICATION_PASSWORD:-}" ]; then
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
        -v password="$POSTGRES_REPLICATION_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE replicator WITH REPLICATION LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'replicator') \gexec
SELECT format('ALTER ROLE replicator WITH REPLICATION LOGIN PASSWORD %L', :'password') \gexec
SQL
    grep -q '^host replication replicator ' "$PGDATA/pg_hba.conf" \
        || echo 'host replication replicator all scram-sha-256' >> "$PGDATA/pg_hba.conf"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -qAt -c 'SELECT pg_reload_conf()' >/dev/null
fi
