#!/usr/bin/env bash
# The conformance matrix (README "Conformance matrix"): barejwt and the
# harnesses in harnesses/ over vectors/, through `barejwt vectors --matrix`.
# Installs what the harnesses need on a fresh machine: a venv with pinned
# PyJWT and python-jose, jose from its package-lock.json, and the Rust
# harness project from its own Cargo.lock. Fails only if barejwt's own rows
# have a non-pass or a harness breaks the protocol: the other libraries'
# failures are findings, written to target/matrix/matrix.{md,json}.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${MATRIX_OUT:-target/matrix}"

echo "== matrix: Python harnesses (PyJWT, python-jose; pinned in a venv)"
if [ ! -x harnesses/python/venv/bin/python ]; then
    python3 -m venv harnesses/python/venv
fi
timeout 600 harnesses/python/venv/bin/pip install --quiet --disable-pip-version-check \
    -r harnesses/python/requirements.txt

echo "== matrix: Node harness (jose, from package-lock.json)"
if ! command -v npm >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
timeout 600 npm ci --prefix harnesses/jose --no-audit --no-fund --silent

echo "== matrix: Rust harnesses (jsonwebtoken 12, jwt-simple; their own Cargo.lock)"
timeout 1200 cargo build --release --locked --quiet --manifest-path harnesses/rust/Cargo.toml

echo "== matrix: barejwt"
cargo build --release --quiet -p barejwt-cli
bin=target/release/barejwt
py=harnesses/python/venv/bin/python
timeout 900 "$bin" vectors --matrix --out "$out" \
    --harness "$bin harness" \
    --harness "$py harnesses/python/pyjwt_harness.py" \
    --harness "$py harnesses/python/jose_harness.py" \
    --harness "node harnesses/jose/harness.mjs" \
    --harness "harnesses/rust/target/release/jsonwebtoken" \
    --harness "harnesses/rust/target/release/jwt-simple" \
    vectors/
echo "matrix written to $out/matrix.md and $out/matrix.json"
