#!/bin/bash
# Entry point of podlift-zoo-postgres, modelled on the official postgres image's:
#  - as root: fixes the ownership of $PGDATA and /run/postgresql, then re-runs itself as postgres;
#  - if $PGDATA has no database yet (no PG_VERSION): initdb with superuser $POSTGRES_USER (default
#    postgres) whose password is $POSTGRES_PASSWORD (required then: no password, no start), creates
#    $POSTGRES_DB (default: the user's name), runs /docker-entrypoint-initdb.d/*.sql|*.sh, and sets
#    listen_addresses='*' + `host all all all scram-sha-256`. An initialized $PGDATA is used as is
#    (a restart with the same volume keeps the data; the POSTGRES_* variables are then ignored).
#  - finally execs postgres: PID 1, user postgres.
# `docker run IMAGE -c work_mem=64MB` passes options to postgres; any other command is just run.
# Env: POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB, PGDATA, POSTGRES_INITDB_ARGS
set -Eeuo pipefail
export PGDATA=${PGDATA:-/var/lib/postgresql/data}
[[ ${1:-} == -* ]] && set -- postgres "$@"
[[ ${1:-} == postgres ]] || exec "$@"

if [[ $(id -u) == 0 ]]; then
  mkdir -p "$PGDATA" /run/postgresql
  chmod 700 "$PGDATA"
  chmod 2775 /run/postgresql
  find "$PGDATA" /run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [[ ! -s $PGDATA/PG_VERSION ]]; then
  if [[ -z ${POSTGRES_PASSWORD:-} ]]; then
    echo "podlift-zoo-postgres: error: $PGDATA holds no database and POSTGRES_PASSWORD is not set;" \
         "refusing to initialize one without a superuser password (docker run -e POSTGRES_PASSWORD=...)" >&2
    exit 1
  fi
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  echo "podlift-zoo-postgres: initializing $PGDATA (superuser $user, database $db)"
  # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a list of options
  initdb --username="$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
         --auth-local=trust --auth-host=scram-sha-256 ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA"
  # jit: the image has no LLVM (llvmjit.so removed to save 160 MB); say so rather than probe
  printf "\n# podlift-zoo-postgres\nlisten_addresses = '*'\njit = off\n" >> "$PGDATA/postgresql.conf"
  printf '\n# podlift-zoo-postgres: any address, with a password\nhost all all all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
  # a server on the socket only, for the database and the init scripts
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w -t 60 start
  psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$user" --no-password)
  if [[ $db != postgres ]]; then
    "${psql[@]}" --dbname postgres --set db="$db" <<<'CREATE DATABASE :"db";'
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case $f in
      *.sql) echo "podlift-zoo-postgres: running $f"; "${psql[@]}" --dbname "$db" -f "$f" ;;
      *.sh)  echo "podlift-zoo-postgres: running $f"; bash "$f" ;;
      *)     if [[ -e $f ]]; then echo "podlift-zoo-postgres: ignoring $f"; fi ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo "podlift-zoo-postgres: initialized"
fi
exec "$@"
