#!/usr/bin/env bash
# Smoke test of the README's main command: the release binary started as
# `barejwt` (what `cargo run --release` runs) on a fresh database, one
# request of each kind with curl, then SIGTERM and a clean exit.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet --bin barejwt
DIR=$(mktemp -d)
PID=
cleanup() {
    if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$DIR"
}
trap cleanup EXIT

fail() { echo "server smoke: FAILED: $*" >&2; sed 's/^/  log: /' "$DIR/log" >&2; exit 1; }

BAREJWT_DB="$DIR/smoke.db" BAREJWT_ADDR=127.0.0.1:0 BAREJWT_BCRYPT_COST=4 target/release/barejwt 2>"$DIR/log" &
PID=$!
ADDR=
for _ in $(seq 100); do
    ADDR=$(sed -n 's/.*listening on http:\/\/\([0-9.:]*\).*/\1/p' "$DIR/log" | head -1)
    [ -n "$ADDR" ] && break
    sleep 0.1
done
[ -n "$ADDR" ] || fail "no address in the log"
B="http://$ADDR"

expect() { # expect STATUS curl-args...
    local want=$1; shift
    local got
    got=$(curl -s -o "$DIR/body" -w '%{http_code}' "$@")
    [ "$got" = "$want" ] || fail "$* -> $got, expected $want: $(cat "$DIR/body")"
}

expect 200 "$B/healthz"
expect 200 "$B/openapi.json"
expect 200 "$B/docs"
curl -s -D - -o /dev/null "$B/docs" | grep -qi "^content-security-policy: default-src 'self';" || fail "/docs has no self-only CSP"
expect 200 "$B/docs/swagger-ui-bundle.js"
expect 201 -X POST "$B/users" -H 'content-type: application/json' -d '{"username":"smoke","password":"correct horse"}'
expect 200 -X POST "$B/token" -d 'username=smoke&password=correct+horse'
TOKEN=$(sed 's/.*"access_token":"\([^"]*\)".*/\1/' "$DIR/body")
expect 401 "$B/todo"
expect 201 -X POST "$B/todo" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"title":"smoke test","priority":1}'
expect 200 "$B/todo" -H "authorization: Bearer $TOKEN"
grep -q '"title":"smoke test"' "$DIR/body" || fail "the todo is not listed"
[ "$(stat -c %a "$DIR/smoke.secret")" = 600 ] || fail "the generated secret is not mode 0600"

kill -TERM "$PID"
wait "$PID" || fail "exit status $? after SIGTERM"
PID=
grep -q "database closed" "$DIR/log" || fail "no clean close in the log"
if grep -q "$TOKEN" "$DIR/log"; then fail "the token reached the log"; fi
echo "server smoke: ok ($B)"
