#!/usr/bin/env bash
# Runs the benchmarks (benches/jwt.rs) twice over, criterion and then
# `--interleaved`, and the allocation counts (tests/allocations.rs), then
# prints the markdown tables README.md shows: per case the ns/op of every
# row and the ratios peer/barejwt and barejwt/floor, criterion's medians
# beside them, the floor's pieces, the allocations, the goals of issue 13
# checked against this run, and the machine and its load.
#
#   scripts/bench-report.sh              # about 4 minutes
#   MEASURE=5 scripts/bench-report.sh    # criterion: longer rows
#   ROUNDS=1000 scripts/bench-report.sh  # interleaved: more rounds
#   AWS_LC=1 scripts/bench-report.sh     # also jsonwebtoken's aws_lc_rs backend
#
# The goals are checked against the interleaved ratios: each round times a
# batch (~2 ms) of every row of a case, in a shuffled order, and a ratio
# is taken within each round; its median over the rounds is the figure, its
# inter-quartile range the spread. A slow spell of this shared machine
# slows all the rows of a round alike, where criterion's rows, one after
# the other for seconds each, each catch a different spell: its ratios of
# medians moved 30-80% between runs here, and are shown for comparison.
#
# AWS_LC=1 also runs benches/aws-lc-rs (benches/jwt.rs built with
# jsonwebtoken's `aws_lc_rs` backend; its first build compiles AWS-LC from
# C, about 15 minutes on 2 busy cores), both ways, and prints the
# jsonwebtoken/barejwt ratios of that build.
#
# Criterion's own output and the interleaved tables go to stderr; the
# markdown to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

WARMUP=${WARMUP:-1}
MEASURE=${MEASURE:-2}
TARGET=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

ROUNDS=${ROUNDS:-300}

load() { cut -d' ' -f1-3 /proc/loadavg; }
# Builds first, so that no timing shares the machine with our own compiler.
cargo bench --bench jwt --no-run >&2
load_before=$(load)
# Results of an older run must not fill a row this run did not produce.
rm -rf "$TARGET/criterion" "$TARGET/interleaved.json"
cargo bench --bench jwt -- --warm-up-time "$WARMUP" --measurement-time "$MEASURE" >&2
load_mid=$(load)
cargo bench --bench jwt -- --interleaved "$ROUNDS" --json "$TARGET/interleaved.json" >&2
AWS_TARGET=""
if [ "${AWS_LC:-0}" = 1 ]; then
    AWS_TARGET=$(cd benches/aws-lc-rs && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
    rm -rf "$AWS_TARGET/criterion" "$AWS_TARGET/interleaved.json"
    (cd benches/aws-lc-rs && cargo bench --bench jwt --no-run) >&2
    (cd benches/aws-lc-rs && cargo bench --bench jwt -- --warm-up-time "$WARMUP" --measurement-time "$MEASURE" '/(barejwt|jsonwebtoken)$') >&2
    (cd benches/aws-lc-rs && cargo bench --bench jwt -- --interleaved "$ROUNDS" --json "$AWS_TARGET/interleaved.json") >&2
fi
load_after=$(load)
allocs=$(cargo test --quiet --test allocations -- --nocapture 2>/dev/null | grep '^alloc ' || true)

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
SHANI=$(grep -qw sha_ni /proc/cpuinfo && echo "SHA-NI" || echo "no SHA-NI")
CORES=$(nproc)
RUSTC=$(rustc --version)

export TARGET AWS_TARGET CPU SHANI CORES RUSTC ROUNDS load_before load_mid load_after allocs
python3 - <<'EOF'
import json, os

root = os.path.join(os.environ["TARGET"], "criterion")

def median(group, row, root=root):
    path = os.path.join(root, group, row, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except FileNotFoundError:
        return None

def interleaved(target):
    try:
        with open(os.path.join(target, "interleaved.json")) as f:
            return json.load(f)["cases"]
    except FileNotFoundError:
        return {}

il = interleaved(os.environ["TARGET"])

def il_ns(group, row, il=il):
    return il.get(group, {}).get("rows", {}).get(row, {}).get("median")

def il_ratio(group, label, il=il):
    return il.get(group, {}).get("ratios", {}).get(label)

def ns(v):
    if v is None:
        return "—"
    return f"{v:,.0f}"

def ratio(a, b):
    if a is None or b is None:
        return "—"
    return f"{a / b:.2f}×"

def spread(r):
    if r is None:
        return "—"
    return f"{r['median']:.2f}× ({r['q1']:.2f}–{r['q3']:.2f})"

peers = ["barejwt", "jsonwebtoken", "jwt-simple", "floor"]
labels = ["jsonwebtoken / barejwt", "jwt-simple / barejwt", "barejwt / floor"]
cases = [
    ("sign_hs256", "HS256 sign"),
    ("verify_hs256", "HS256 verify"),
    ("verify_bad_signature", "HS256 verify, bad signature"),
    ("verify_expired", "HS256 verify, expired"),
    ("sign_hs512", "HS512 sign"),
    ("verify_hs512", "HS512 verify"),
    ("sign_large", "HS256 sign, 1 KiB claims"),
    ("verify_large", "HS256 verify, 1 KiB claims"),
]
header = "| case | barejwt | jsonwebtoken 12 | jwt-simple | floor | jsonwebtoken / barejwt | jwt-simple / barejwt | barejwt / floor |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"

rounds = os.environ["ROUNDS"]
print(f"Interleaved (`--interleaved {rounds}`): ns/op is the median over {rounds} rounds, each timing a batch (~2 ms) of every row of the case in a shuffled order; "
      "a ratio is taken within each round, and shown as its median over the rounds (inter-quartile range in brackets). "
      "The goals below are checked against these medians, and also show the ratio of the rows' minimums. Above 1× barejwt is faster; barejwt / floor below 1× means barejwt is faster than the floor.\n")
print(header)
for group, name in cases:
    row = [il_ns(group, p) for p in peers]
    print(f"| {name} | " + " | ".join(ns(v) for v in row) + " | " + " | ".join(spread(il_ratio(group, l)) for l in labels) + " |")

print()
print("Criterion (rows one after the other, 2 s or `MEASURE` each), median ns/op and the ratios of the medians: for comparison, not for the goals.\n")
print(header)
for group, name in cases:
    row = [median(group, p) for p in peers]
    print(f"| {name} | {ns(row[0])} | {ns(row[1])} | {ns(row[2])} | {ns(row[3])} | {ratio(row[1], row[0])} | {ratio(row[2], row[0])} | {ratio(row[0], row[3])} |")

def pieces(group):
    return {k: median(group, k) for k in ["hmac_sha256", "base64url_signature", "base64url_decode", "claims_parse"]}

f, fl = pieces("floor"), pieces("floor_large")
print()
print("| the floor's pieces (criterion, median ns/op) | tutorial token | 1 KiB claims |")
print("| --- | ---: | ---: |")
print(f"| HMAC-SHA256 of the signing input, key state precomputed (`hmac`) | {ns(f['hmac_sha256'])} | {ns(fl['hmac_sha256'])} |")
print(f"| base64url decoding, the signature segment (`base64`) | {ns(f['base64url_signature'])} | {ns(fl['base64url_signature'])} |")
print(f"| base64url decoding, 3 segments (`base64`) | {ns(f['base64url_decode'])} | {ns(fl['base64url_decode'])} |")
print(f"| claims parse (`serde_json`) | {ns(f['claims_parse'])} | {ns(fl['claims_parse'])} |")

print()
if os.environ["AWS_TARGET"]:
    aws_root = os.path.join(os.environ["AWS_TARGET"], "criterion")
    aws_il = interleaved(os.environ["AWS_TARGET"])
    print("jsonwebtoken 12 with its `aws_lc_rs` backend (`benches/aws-lc-rs`: the same benchmarks, another build), beside barejwt in that build's runs:\n")
    print("| case | barejwt | jsonwebtoken 12 aws-lc-rs | aws-lc-rs / barejwt, interleaved | criterion: barejwt | aws-lc-rs | ratio of medians |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for group, name in cases:
        b, j = median(group, "barejwt", aws_root), median(group, "jsonwebtoken", aws_root)
        ib, ij = il_ns(group, "barejwt", aws_il), il_ns(group, "jsonwebtoken", aws_il)
        print(f"| {name} | {ns(ib)} | {ns(ij)} | {spread(il_ratio(group, labels[0], aws_il))} | {ns(b)} | {ns(j)} | {ratio(j, b)} |")
else:
    print("jsonwebtoken's `aws_lc_rs` backend: not run (`AWS_LC=1 scripts/bench-report.sh`).")

counts = {}
for line in os.environ.get("allocs", "").splitlines():
    _, case, lib, n = line.split()
    counts[(case, lib)] = n
print()
print("| allocations per call | barejwt | jsonwebtoken 12 | jwt-simple | floor |")
print("| --- | ---: | ---: | ---: | ---: |")
for case, name in [("sign", "HS256 sign"), ("verify", "HS256 verify (claims with a `String`)"),
                   ("verify_plain", "HS256 verify (claims without heap fields)"),
                   ("bad_signature", "bad signature"), ("expired", "expired (claims without heap fields)")]:
    print(f"| {name} | " + " | ".join(counts.get((case, p), "—") for p in peers) + " |")

def goal(text, ok):
    mark = "met" if ok else "**missed**"
    print(f"| {text} | {mark} |")

def r(group, label):
    return il_ratio(group, label)["median"]

def iqr(group, label):
    v = il_ratio(group, label)
    return f"{v['median']:.2f}×, inter-quartile {v['q1']:.2f}–{v['q3']:.2f}, of the minimums {v['of_minimums']:.2f}×"

print()
print("| goal (issue 13), against the interleaved ratios | this run |")
print("| --- | --- |")
try:
    jwt, js, fl = labels
    goal(f"HS256 verify ≥ 3× faster than jsonwebtoken 12 ({iqr('verify_hs256', jwt)})", r('verify_hs256', jwt) >= 3)
    goal(f"HS256 verify ≥ 5× faster than jwt-simple ({iqr('verify_hs256', js)})", r('verify_hs256', js) >= 5)
    goal(f"HS256 verify no slower than the floor (barejwt / floor {iqr('verify_hs256', fl)})", r('verify_hs256', fl) <= 1)
    goal(f"HS256 sign ≥ 2.5× faster than jsonwebtoken 12 ({iqr('sign_hs256', jwt)})", r('sign_hs256', jwt) >= 2.5)
    for group, name in [("sign_hs512", "HS512 sign"), ("verify_hs512", "HS512 verify"),
                        ("sign_large", "1 KiB sign"), ("verify_large", "1 KiB verify")]:
        goal(f"{name} ≥ 2× faster than jsonwebtoken 12 ({iqr(group, jwt)})", r(group, jwt) >= 2)
    forged = "barejwt / (hmac_sha256 + base64url_signature)"
    goal(f"bad signature ≤ MAC + decoding the signature segment ({iqr('forged', forged)})", r('forged', forged) <= 1)
    plain = int(counts.get(("verify_plain", "barejwt"), "99"))
    goal(f"≤ 1 allocation per verify beyond the caller's type ({plain} with no heap field in the claims)", plain <= 1)
    rej = max(int(counts.get(("bad_signature", "barejwt"), "99")), int(counts.get(("expired", "barejwt"), "99")))
    goal(f"no allocation on a rejection ({rej})", rej == 0)
except (TypeError, KeyError):
    print("| (a row is missing: see the benchmarks' output) | — |")
print()
print(f"CPU: {os.environ['CPU']} ({os.environ['SHANI']}, {os.environ['CORES']} cores); "
      f"{os.environ['RUSTC']}; load average {os.environ['load_before']} before criterion, "
      f"{os.environ['load_mid']} before the interleaved rounds, {os.environ['load_after']} after.")
EOF
