#!/usr/bin/env bash
# The OpenAPI document is the truth: schemathesis (pinned, in a venv) runs
# every check it has against the real `barejwt serve` and its own
# /openapi.json, and any finding fails CI. Bounded in time (MAX_TIME
# seconds of generation, 120 by default; the whole script under 15 min).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=target/venv-schemathesis
REQS=scripts/schemathesis-requirements.txt
if [ ! -x "$VENV/bin/schemathesis" ] || ! cmp -s "$REQS" "$VENV/requirements.txt"; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQS"
    cp "$REQS" "$VENV/requirements.txt"
fi

cargo build --release --quiet --bin barejwt
DIR=$(mktemp -d)
PID=
cleanup() {
    if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$DIR"
}
trap cleanup EXIT

BAREJWT_DB="$DIR/st.db" BAREJWT_ADDR=127.0.0.1:0 BAREJWT_BCRYPT_COST=4 \
    BAREJWT_SECRET=schemathesis-run-secret-0123456789abcdef RUST_LOG=info,barejwt::request=off \
    target/release/barejwt serve 2>"$DIR/log" &
PID=$!
ADDR=
for _ in $(seq 100); do
    ADDR=$(sed -n 's/.*listening on http:\/\/\([0-9.:]*\).*/\1/p' "$DIR/log" | head -1)
    [ -n "$ADDR" ] && break
    sleep 0.1
done
if [ -z "$ADDR" ]; then cat "$DIR/log" >&2; echo "schemathesis: the server did not start" >&2; exit 1; fi
B="http://$ADDR"

# One user, and its token for the operations the document secures.
curl -sf -X POST "$B/users" -H 'content-type: application/json' \
    -d '{"username":"schemathesis","password":"correct horse"}' >/dev/null
TOKEN=$(curl -sf -X POST "$B/token" -d 'username=schemathesis&password=correct+horse' \
    | sed 's/.*"access_token":"\([^"]*\)".*/\1/')

export SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$PWD/scripts"
timeout 840 "$VENV/bin/schemathesis" --no-color run "$B/openapi.json" \
    --checks all \
    --max-time "${MAX_TIME:-120}" \
    --workers 1 \
    --suppress-health-check too_slow \
    --generation-database none \
    -H "Authorization: Bearer $TOKEN"
