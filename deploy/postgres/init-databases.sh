#!/bin/sh
# One database per service, each owned by its own login role: no service can read another's data.
# Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d), by
# compose and by the local Kubernetes overlay. The role is named after its database.
set -eu

create_database() {
    psql --no-psqlrc --set ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        --set name="$1" --set password="$2" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
}

create_database "${CUSTOMER_DB_NAME:-customers}" "$CUSTOMER_DB_PASSWORD"
create_database "${ORDER_DB_NAME:-orders}" "$ORDER_DB_PASSWORD"
create_database "${IDENTITY_DB_NAME:-identities}" "$IDENTITY_DB_PASSWORD"
