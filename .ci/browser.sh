#!/usr/bin/env bash
# The browser tests (browser/, pytest + selenium) in Debian's headless
# Chromium against the real `barejwt serve` binary. Installs what it needs
# on a fresh machine: chromium and chromium-driver from Debian, a venv with
# the pinned browser/requirements.txt. Screenshots land in target/browser/.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
chromium --version
chromedriver --version

VENV=target/venv-browser
if [ ! -x "$VENV/bin/pytest" ] || ! cmp -s browser/requirements.txt "$VENV/requirements.txt"; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r browser/requirements.txt
    cp browser/requirements.txt "$VENV/requirements.txt"
fi

cargo build --release --quiet --bin barejwt
export BAREJWT_BIN="$PWD/target/release/barejwt"
timeout 900 "$VENV/bin/pytest" -q -p no:cacheprovider browser/
ls target/browser/*.png
