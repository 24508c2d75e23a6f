#!/usr/bin/env bash
# Runs every fuzz target in turn for SECONDS each (default 60), one job,
# and prints per target: runs, execs/s, coverage (cov/ft) and any finding.
#
#   fuzz/run.sh [SECONDS]
#
# Environment:
#   FUZZ_TARGETS="decode hmac"  only these targets (default: cargo fuzz list)
#   FUZZ_CMIN=1                 minimize corpus/<target> after its run
#   FUZZ_LOG_DIR=dir            where the libFuzzer logs go (default
#                               fuzz/target/fuzz-logs)
#   FUZZ_CORPUS_ROOT=dir        read and grow dir/<target>/ instead of
#                               corpus/<target>/ (CI uses a scratch copy)
#
# Each target reads corpus/<target>/ (the committed, minimized corpus, where
# new inputs are also written) and seeds/<target>/ (built from ../vectors by
# seeds.py, when python3 is present), with the dictionary jwt.dict.
# Exits 1 if any target found a crash, a failed oracle, a timeout or a leak;
# the reproducer is under artifacts/<target>/.
set -uo pipefail
cd "$(dirname "$0")"

secs="${1:-60}"
case "$secs" in
'' | *[!0-9]*)
    echo "usage: fuzz/run.sh [SECONDS]" >&2
    exit 2
    ;;
esac

# -a (debug assertions) makes integer overflow a finding; it must match
# .ci/fuzz.sh's build so that the run does not rebuild.
FUZZ_FLAGS=(-a)
logs="${FUZZ_LOG_DIR:-target/fuzz-logs}"
root="${FUZZ_CORPUS_ROOT:-corpus}"
mkdir -p "$logs"

if [ -n "${FUZZ_TARGETS:-}" ]; then
    read -r -a targets <<<"$FUZZ_TARGETS"
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

if command -v python3 >/dev/null; then
    python3 seeds.py >/dev/null
fi

status=0
summary=()
for t in "${targets[@]}"; do
    mkdir -p "$root/$t"
    dirs=("$root/$t")
    [ -d "seeds/$t" ] && dirs+=("seeds/$t")
    log="$logs/$t.log"
    echo "== fuzz $t: ${secs}s"
    # -timeout: an input taking 10 s is a hang, reported as a finding.
    # -rss_limit_mb: growth without bound is a finding too.
    cargo +nightly fuzz run "${FUZZ_FLAGS[@]}" "$t" "${dirs[@]}" -- \
        -dict=jwt.dict -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1
    rc=$?
    # The last status line: "#1234 DONE cov: 567 ft: 890 corp: ... exec/s: 12 ...",
    # or, after a finding, the last line before it.
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    runs=$(grep -E '^stat::number_of_executed_units:' "$log" | awk '{print $2}')
    eps=$(grep -E '^stat::average_exec_per_sec:' "$log" | awk '{print $2}')
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
    if [ "$rc" -eq 0 ]; then
        finding="none"
    else
        status=1
        artifact=$(grep -oE 'artifacts/[^ ]+' "$log" | tail -n 1)
        finding="FINDING (exit $rc) ${artifact:-see $log}"
        grep -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" | head -n 5 | sed 's/^/    /'
    fi
    line=$(printf '%-10s runs %-10s exec/s %-7s cov %-6s ft %-6s finding: %s' \
        "$t" "${runs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "$finding")
    echo "$line"
    summary+=("$line")
    if [ "${FUZZ_CMIN:-0}" = 1 ] && [ "$rc" -eq 0 ]; then
        cargo +nightly fuzz cmin "${FUZZ_FLAGS[@]}" "$t" "$root/$t" -- -dict=jwt.dict \
            >"$logs/$t.cmin.log" 2>&1 || { echo "cmin failed: $logs/$t.cmin.log"; status=1; }
        echo "   $root/$t minimized: $(find "$root/$t" -type f | wc -l) files"
    fi
done

echo "== summary (${secs}s per target, log: $logs/)"
printf '%s\n' "${summary[@]}"
exit "$status"
