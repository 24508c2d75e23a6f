#!/usr/bin/env bash
# The token debugger in a real browser (issue 12): headless Chromium from
# Debian's packages drives the real `barejwt serve` and `barejwt debugger`
# (browser/test_debugger.py). Installs what it needs; bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

venv=target/debugger-venv
if [ ! -x "$venv/bin/pytest" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check selenium==4.27.1 pytest==8.3.4
fi

cargo build --quiet -p barejwt-cli
BAREJWT_BIN="$PWD/target/debug/barejwt" timeout 600 "$venv/bin/pytest" -q browser/test_debugger.py
echo "screenshots: $(ls target/browser/debugger-*.png | tr '\n' ' ')"
