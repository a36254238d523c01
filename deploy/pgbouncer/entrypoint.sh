#!/bin/sh
# Writes PgBouncer's configuration from the environment, then runs it in the foreground.
#   DB_HOST, DB_PORT, DB_NAME   the PostgreSQL server and database behind the pooler
#   DB_USER, DB_PASSWORD        the application's role (ascent_app): clients log in with it
#   POOL_SIZE                   server connections per database (default 20)
#   MAX_CLIENT_CONN             client connections accepted (default 500)
set -eu
: "${DB_HOST:?}" "${DB_NAME:?}" "${DB_USER:?}" "${DB_PASSWORD:?}"
conf=/tmp/pgbouncer
mkdir -p "$conf"
umask 077
printf '"%s" "%s"\n' "$DB_USER" "$DB_PASSWORD" > "$conf/userlist.txt"
cat > "$conf/pgbouncer.ini" <<INI
[databases]
$DB_NAME = host=$DB_HOST port=${DB_PORT:-5432} dbname=$DB_NAME user=$DB_USER password=$DB_PASSWORD

[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 6432
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $conf/userlist.txt
; The tenant setting is transaction-local (set_config(..., true)), so transaction pooling is safe;
; the application turns off what is not (DATABASE_TRANSACTION_POOLER=1).
pool_mode = transaction
default_pool_size = ${POOL_SIZE:-20}
max_client_conn = ${MAX_CLIENT_CONN:-500}
ignore_startup_parameters = extra_float_digits,options
server_reset_query =
INI
exec pgbouncer "$conf/pgbouncer.ini"
