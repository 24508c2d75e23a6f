#!/usr/bin/env bash
# PostgreSQL: a throwaway cluster for the tests, stopped and removed on
# any exit. Installs Debian's postgresql if it is missing, runs the
# cluster as an unprivileged user when started as root (initdb refuses
# root), on a free port on 127.0.0.1 with its socket in the temp dir, a
# password on the superuser (so the tests can check it is never logged).
#
#   .ci/postgres.sh            the server's suite's PostgreSQL variants, the
#                              binary's log, the replica tests (restart last)
#   .ci/postgres.sh CMD ARG..  run CMD with BAREJWT_TEST_PG (and
#                              BAREJWT_TEST_PG_RESTART) set (development)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
bin=$(dirname "$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")

tmp=$(mktemp -d /tmp/barejwt-pg.XXXXXX)
as=()
if [ "$(id -u)" = 0 ]; then
    id barejwt-pg >/dev/null 2>&1 \
        || useradd --system --no-create-home --shell /usr/sbin/nologin barejwt-pg
    chown barejwt-pg "$tmp"
    as=(runuser -u barejwt-pg --)
fi
cleanup() {
    "${as[@]}" "$bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
"${as[@]}" sh -c "umask 077; printf '%s\n' '$password' > '$tmp/pw'"
mkdir -p "$tmp/sock" && { [ ${#as[@]} -eq 0 ] || chown barejwt-pg "$tmp/sock"; }
"${as[@]}" "$bin/initdb" -D "$tmp/data" -U barejwt --pwfile="$tmp/pw" \
    --auth=scram-sha-256 --no-locale -E UTF8 >"$tmp/initdb.log" 2>&1 \
    || { cat "$tmp/initdb.log" >&2; exit 1; }
# fsync off: a throwaway cluster's durability is not what is tested here
# (a replica's, killed with SIGKILL, is; the cluster is never killed).
opts="-p $port -k $tmp/sock -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
"${as[@]}" "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 start -o "$opts" \
    >/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
# For the restart test: `restart stop` / `restart start` on this cluster.
cat >"$tmp/restart" <<SCRIPT
#!/bin/sh
case "\$1" in
    stop) exec ${as[*]} "$bin/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null ;;
    start) exec ${as[*]} "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 start -o "$opts" >/dev/null ;;
    *) echo "usage: \$0 stop|start" >&2; exit 2 ;;
esac
SCRIPT
chmod 755 "$tmp/restart"

export BAREJWT_TEST_PG="postgres://barejwt:$password@127.0.0.1:$port/postgres"
# A test that finds no URL fails instead of skipping.
export BAREJWT_TEST_PG_REQUIRED=1

if [ $# -gt 0 ]; then
    BAREJWT_TEST_PG_RESTART="$tmp/restart" "$@"
    exit
fi

# The server's integration suite, PostgreSQL variants (`…::postgres`).
out=$(cargo test -p barejwt-server --test server -- ::postgres 2>&1) || { echo "$out"; exit 1; }
echo "$out" | grep -E '^test |test result' | grep -v ' ok$' || true
passed=$(echo "$out" | sed -n 's/^test result: ok\. \([0-9]*\) passed.*/\1/p' | head -n 1)
want=$(grep -rhoE '^(on_both_stores|postgres_only)!\(' server/tests/server/ | wc -l)
if [ "${passed:-0}" -lt "$want" ] || [ "$want" -eq 0 ]; then
    echo "expected at least $want PostgreSQL tests to run, $passed did" >&2
    exit 1
fi
echo "PostgreSQL: $passed server tests passed"
# The binary on PostgreSQL: its log shows the URL without the password.
cargo test -p barejwt-cli --test postgres --quiet
# Replicas as processes; the restart test last and alone (it stops the
# cluster under everything else). Prints how many passed.
replicas() {
    local out
    out=$(cargo test -p barejwt-cli --test replicas -- "$@" 2>&1) || { echo "$out" >&2; return 1; }
    echo "$out" | sed -n 's/^test result: ok\. \([0-9]*\) passed.*/\1/p' | head -n 1
}
n=$(replicas postgres_ --skip postgres_restarted)
[ "$n" -ge 2 ] || { echo "expected 2 PostgreSQL replica tests, $n ran" >&2; exit 1; }
# Key rotation under three replicas on one PostgreSQL database.
out=$(cargo test -p barejwt-cli --test rotation -- postgres_ 2>&1) || { echo "$out" >&2; exit 1; }
echo "$out" | grep -q '^test result: ok\. 1 passed' || { echo "the rotation test did not run" >&2; exit 1; }
echo "PostgreSQL: key rotation under three replicas passed"
n=$(BAREJWT_TEST_PG_RESTART="$tmp/restart" replicas postgres_restarted)
[ "$n" -eq 1 ] || { echo "the restart test did not run" >&2; exit 1; }
echo "PostgreSQL replicas: 3 tests passed, the restart last"
