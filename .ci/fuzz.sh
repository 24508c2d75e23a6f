#!/usr/bin/env bash
# CI's fuzz step: build every fuzz target, replay each one's committed
# corpus, then fuzz each for a bounded time (default 30 s; FUZZ_SECONDS).
# Needs the nightly toolchain; without it, says so and exits 0, because
# the stable `cargo test` never depends on nightly. Exits non-zero on any
# finding (crash, failed oracle, hang, leak) or build failure.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export CARGO_TERM_COLOR=never
secs="${FUZZ_SECONDS:-30}"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "== fuzz: SKIPPED: no nightly toolchain ('cargo +nightly' does not work);"
    echo "   cargo-fuzz needs nightly. Install it with: rustup toolchain install nightly"
    exit 0
fi

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "== fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

# Same flags as run.sh (-a: debug assertions), so nothing is rebuilt.
echo "== fuzz: build every target"
cargo +nightly fuzz build -a

mapfile -t targets < <(cargo +nightly fuzz list)
echo "== fuzz: replay the committed corpus of each target (${targets[*]})"
for t in "${targets[@]}"; do
    if [ ! -d "corpus/$t" ]; then
        echo "   $t: no committed corpus (corpus/$t); nothing to replay"
        continue
    fi
    n=$(find "corpus/$t" -type f | wc -l)
    # -runs=0: run every corpus input once, then stop.
    if ! cargo +nightly fuzz run -a "$t" "corpus/$t" -- -runs=0 -timeout=10 \
        >"target/replay-$t.log" 2>&1; then
        echo "   $t: FINDING while replaying $n inputs:"
        tail -n 30 "target/replay-$t.log"
        exit 1
    fi
    echo "   $t: $n inputs replayed, no finding"
done

echo "== fuzz: ${secs}s per target"
# New inputs go to a scratch copy, so CI never changes the committed corpus.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
    mkdir -p "$scratch/$t"
    [ -d "corpus/$t" ] && cp -R "corpus/$t/." "$scratch/$t/"
done
FUZZ_CORPUS_ROOT="$scratch" ./run.sh "$secs"
