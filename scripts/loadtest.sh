#!/usr/bin/env bash
# Load test of the login and todo server with wrk (from Debian's packages,
# installed if missing). Prints req/s and p99 latency for:
#   1. authenticated GET /todo            (wrk -t1 -c32)
#   2. POST /token (logins, bcrypt-bound) (wrk -t1 -c8), beside bcrypt alone
#   3. GET /todo during a login flood     (both at once)
#   4. GET /todo on PostgreSQL: one replica (wrk -c32), then two replicas
#      at once (wrk -c16 each), as ratios of run 1 on SQLite. Needs a
#      cluster: `.ci/postgres.sh scripts/loadtest.sh` starts a throwaway
#      one (fsync off: these are reads); or set BAREJWT_TEST_PG to a
#      postgres:// URL whose role may CREATE DATABASE. Skipped otherwise.
#
# Usage: scripts/loadtest.sh [SECONDS]     (default 10 per run)
# Environment: COST (bcrypt cost, default 12), TODOS (seeded todos, 10),
#              PORT (default 18000), KEEP=1 keeps the temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${1:-10}
COST=${COST:-12}
TODOS=${TODOS:-10}
PORT=${PORT:-18000}
BASE="http://127.0.0.1:$PORT"

if ! command -v wrk >/dev/null; then
    echo "== installing wrk (Debian package)"
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get install -y wrk >/dev/null || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y wrk >/dev/null; }
fi

echo "== building (release)"
cargo build --release --quiet --bin barejwt --example bcrypt_alone --example bare_hyper

DIR=$(mktemp -d)
SERVER_PID=
BARE_PID=
PG_PIDS=()
PG_DB=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    for pid in "${PG_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    if [ -n "$PG_DB" ]; then psql -q "$BAREJWT_TEST_PG" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" || true; fi
    if [ -n "$BARE_PID" ]; then kill "$BARE_PID" 2>/dev/null || true; wait "$BARE_PID" 2>/dev/null || true; fi
    if [ "${KEEP:-}" = 1 ]; then echo "kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT

echo "== machine"
echo "$(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"

RUST_LOG=${RUST_LOG:-info} target/release/barejwt serve --addr "127.0.0.1:$PORT" --db "$DIR/load.db" \
    --bcrypt-cost "$COST" 2>"$DIR/server.log" &
SERVER_PID=$!
for _ in $(seq 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done

echo "== seeding: one user, $TODOS todos"
curl -sf -X POST "$BASE/users" -H 'content-type: application/json' \
    -d '{"username":"loadtest","password":"correct horse"}' >/dev/null
TOKEN=$(curl -sf -X POST "$BASE/token" -d 'username=loadtest&password=correct+horse' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
for i in $(seq "$TODOS"); do
    curl -sf -X POST "$BASE/todo" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
        -d "{\"title\":\"todo number $i\",\"description\":\"seeded for the load test\",\"priority\":$((i % 5 + 1))}" >/dev/null
done

cat >"$DIR/login.lua" <<'LUA'
wrk.method = "POST"
wrk.body = "username=loadtest&password=correct+horse&grant_type=password"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA

# Prints "<req/s> req/s, p99 <latency>, <non-2xx> errors" from wrk's output.
summary() {
    awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2}
         /Non-2xx/ {bad=$NF} /Socket errors/ {sock=$0}
         END {printf "%s req/s, p99 %s, non-2xx %s%s\n", rps, p99, (bad==""?0:bad), (sock==""?"":", " sock)}' "$1"
}

echo "== 0. the ceiling: bare hyper answering the same bytes, no auth, no database (wrk -t1 -c32 -d${SECS}s)"
curl -sf "$BASE/todo" -H "authorization: Bearer $TOKEN" >"$DIR/body.json"
target/release/examples/bare_hyper "127.0.0.1:$((PORT + 1))" "$DIR/body.json" &
BARE_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$((PORT + 1))/" >/dev/null && break; sleep 0.1; done
wrk -t1 -c32 -d"${SECS}s" --latency "http://127.0.0.1:$((PORT + 1))/todo" >"$DIR/bare.txt"
kill "$BARE_PID"; wait "$BARE_PID" 2>/dev/null || true; BARE_PID=
summary "$DIR/bare.txt"

echo "== 1. GET /todo, authenticated (wrk -t1 -c32 -d${SECS}s)"
wrk -t1 -c32 -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" "$BASE/todo" >"$DIR/read.txt"
summary "$DIR/read.txt"

echo "== 2. POST /token at cost $COST (wrk -t1 -c8 -d${SECS}s)"
wrk -t1 -c8 -d"${SECS}s" --timeout 30s --latency -s "$DIR/login.lua" "$BASE/token" >"$DIR/login.txt"
summary "$DIR/login.txt"
echo "   bcrypt alone, same cost, one thread per core:"
echo "   $(target/release/examples/bcrypt_alone "$COST" "$(nproc)" "$SECS")"

echo "== 3. GET /todo (wrk -c32) during a login flood (wrk -c8 on POST /token)"
wrk -t1 -c8 -d"$((SECS + 2))s" --timeout 30s --latency -s "$DIR/login.lua" "$BASE/token" >"$DIR/flood.txt" &
FLOOD=$!
sleep 1
wrk -t1 -c32 -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" "$BASE/todo" >"$DIR/read-flood.txt"
wait "$FLOOD"
echo "   reads:  $(summary "$DIR/read-flood.txt")"
echo "   logins: $(summary "$DIR/flood.txt")"

echo "== 4. GET /todo on PostgreSQL: one replica (wrk -c32), then two at once (wrk -c16 each)"
if [ -z "${BAREJWT_TEST_PG:-}" ]; then
    echo "   skipped: BAREJWT_TEST_PG is not set (.ci/postgres.sh scripts/loadtest.sh starts a cluster)"
    exit 0
fi
PG_DB="barejwt_load_$$"
psql -q "$BAREJWT_TEST_PG" -c "CREATE DATABASE $PG_DB"
PG_URL="${BAREJWT_TEST_PG%/*}/$PG_DB"
PG_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
for i in 2 3; do
    BAREJWT_SECRET=$PG_SECRET RUST_LOG=${RUST_LOG:-info} target/release/barejwt serve \
        --addr "127.0.0.1:$((PORT + i))" --db "$PG_URL" --bcrypt-cost "$COST" 2>"$DIR/pg-$i.log" &
    PG_PIDS+=($!)
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$((PORT + i))/healthz" >/dev/null && break; sleep 0.1; done
done
PG_A="http://127.0.0.1:$((PORT + 2))"
PG_B="http://127.0.0.1:$((PORT + 3))"
curl -sf -X POST "$PG_A/users" -H 'content-type: application/json' \
    -d '{"username":"loadtest","password":"correct horse"}' >/dev/null
# Logged in through one replica, used on both: one secret.
PG_TOKEN=$(curl -sf -X POST "$PG_B/token" -d 'username=loadtest&password=correct+horse' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
for i in $(seq "$TODOS"); do
    curl -sf -X POST "$PG_A/todo" -H "authorization: Bearer $PG_TOKEN" -H 'content-type: application/json' \
        -d "{\"title\":\"todo number $i\",\"description\":\"seeded for the load test\",\"priority\":$((i % 5 + 1))}" >/dev/null
done
wrk -t1 -c32 -d"${SECS}s" --latency -H "Authorization: Bearer $PG_TOKEN" "$PG_A/todo" >"$DIR/pg-one.txt"
echo "   one replica:  $(summary "$DIR/pg-one.txt")"
wrk -t1 -c16 -d"${SECS}s" --latency -H "Authorization: Bearer $PG_TOKEN" "$PG_A/todo" >"$DIR/pg-a.txt" &
WRK_A=$!
wrk -t1 -c16 -d"${SECS}s" --latency -H "Authorization: Bearer $PG_TOKEN" "$PG_B/todo" >"$DIR/pg-b.txt"
wait "$WRK_A"
echo "   two replicas: a $(summary "$DIR/pg-a.txt")"
echo "                 b $(summary "$DIR/pg-b.txt")"
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
python3 - "$(rps "$DIR/read.txt")" "$(rps "$DIR/pg-one.txt")" "$(rps "$DIR/pg-a.txt")" "$(rps "$DIR/pg-b.txt")" <<'PY'
import sys
sqlite, one, a, b = map(float, sys.argv[1:])
print(f"   ratios to SQLite's run 1 ({sqlite:,.0f} req/s): one PostgreSQL replica {one / sqlite:.2f}, "
      f"two together {(a + b) / sqlite:.2f} ({a + b:,.0f} req/s)")
PY
