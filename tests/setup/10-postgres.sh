# Installs PostgreSQL from Debian packages if absent and starts a private, throw-away server for the
# tests on 127.0.0.1:${GRANARY_TEST_PG_PORT:-55432} (trust auth, data under /tmp). Exports
# GRANARY_TEST_POSTGRES, the connection string the tests use. Idempotent; sourced by ./test.sh.
pg_port="${GRANARY_TEST_PG_PORT:-55432}"
pg_data="${GRANARY_TEST_PG_DATA:-/tmp/granary-test-pg}"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "installing PostgreSQL (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
fi
# PostgreSQL refuses to run as root: run it as the 'postgres' user the package creates.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! as_pg "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port"; then
  if [ ! -f "$pg_data/PG_VERSION" ]; then
    mkdir -p "$pg_data"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$pg_data"
    as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres -A trust --no-sync >/dev/null
  fi
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$pg_data -c fsync=off -c max_connections=200" start >/dev/null
fi
export GRANARY_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
echo "PostgreSQL ready: $GRANARY_TEST_POSTGRES"
