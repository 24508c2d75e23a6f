#!/usr/bin/env bash
# Runs the benchmarks (benches/jwt.rs) and the allocation counts
# (tests/allocations.rs), then prints the markdown table README.md shows:
# the median ns/op of every row, the ratios peer/barejwt and barejwt/floor,
# the goals of issue 13 checked against this run, and the machine it ran on.
#
#   scripts/bench-report.sh              # about 2-3 minutes
#   MEASURE=5 scripts/bench-report.sh    # longer, steadier
#   AWS_LC=1 scripts/bench-report.sh     # also jsonwebtoken's aws_lc_rs backend
#
# AWS_LC=1 also runs benches/aws-lc-rs (benches/jwt.rs built with
# jsonwebtoken's `aws_lc_rs` backend; its first build compiles AWS-LC from
# C, about 15 minutes on 2 busy cores), barejwt and jsonwebtoken rows only,
# and prints their ratio from that run.
#
# Criterion's own output goes to stderr; the table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

WARMUP=${WARMUP:-1}
MEASURE=${MEASURE:-2}
TARGET=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# Results of an older run must not fill a row this run did not produce.
rm -rf "$TARGET/criterion"
cargo bench --bench jwt -- --warm-up-time "$WARMUP" --measurement-time "$MEASURE" >&2
AWS_TARGET=""
if [ "${AWS_LC:-0}" = 1 ]; then
    AWS_TARGET=$(cd benches/aws-lc-rs && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
    rm -rf "$AWS_TARGET/criterion"
    (cd benches/aws-lc-rs && cargo bench --bench jwt -- --warm-up-time "$WARMUP" --measurement-time "$MEASURE" '/(barejwt|jsonwebtoken)$') >&2
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
allocs=$(cargo test --quiet --test allocations -- --nocapture 2>/dev/null | grep '^alloc ' || true)

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
SHANI=$(grep -qw sha_ni /proc/cpuinfo && echo "SHA-NI" || echo "no SHA-NI")
CORES=$(nproc)
RUSTC=$(rustc --version)

export TARGET AWS_TARGET CPU SHANI CORES RUSTC load_before load_after allocs
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

def ns(v):
    if v is None:
        return "—"
    return f"{v:,.0f}"

def ratio(a, b):
    if a is None or b is None:
        return "—"
    return f"{a / b:.2f}×"

peers = ["barejwt", "jsonwebtoken", "jwt-simple", "floor"]
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

print(f"Median ns/op. Ratios above 1× mean barejwt is faster; barejwt / floor below 1× means barejwt is faster than the floor.\n")
print("| case | barejwt | jsonwebtoken 12 | jwt-simple | floor | jsonwebtoken / barejwt | jwt-simple / barejwt | barejwt / floor |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
m = {}
for group, name in cases:
    row = [median(group, p) for p in peers]
    m[group] = row
    print(f"| {name} | {ns(row[0])} | {ns(row[1])} | {ns(row[2])} | {ns(row[3])} | {ratio(row[1], row[0])} | {ratio(row[2], row[0])} | {ratio(row[0], row[3])} |")

def pieces(group):
    return {k: median(group, k) for k in ["hmac_sha256", "base64url_signature", "base64url_decode", "claims_parse"]}

f, fl = pieces("floor"), pieces("floor_large")
def total(d, keys):
    vals = [d[k] for k in keys]
    return None if None in vals else sum(vals)
forged_floor = total(f, ["hmac_sha256", "base64url_signature"])

print()
print("| the floor's pieces | tutorial token | 1 KiB claims |")
print("| --- | ---: | ---: |")
print(f"| HMAC-SHA256 of the signing input, key state precomputed (`hmac`) | {ns(f['hmac_sha256'])} | {ns(fl['hmac_sha256'])} |")
print(f"| base64url decoding, the signature segment (`base64`) | {ns(f['base64url_signature'])} | {ns(fl['base64url_signature'])} |")
print(f"| base64url decoding, 3 segments (`base64`) | {ns(f['base64url_decode'])} | {ns(fl['base64url_decode'])} |")
print(f"| claims parse (`serde_json`) | {ns(f['claims_parse'])} | {ns(fl['claims_parse'])} |")

print()
aws_root = os.path.join(os.environ["AWS_TARGET"], "criterion") if os.environ["AWS_TARGET"] else None
if aws_root:
    print("jsonwebtoken 12 with its `aws_lc_rs` backend (`benches/aws-lc-rs`: the same benchmarks, another build), beside barejwt in that run:\n")
    print("| case | barejwt | jsonwebtoken 12 aws-lc-rs | aws-lc-rs / barejwt |")
    print("| --- | ---: | ---: | ---: |")
    for group, name in cases:
        b, j = median(group, "barejwt", aws_root), median(group, "jsonwebtoken", aws_root)
        print(f"| {name} | {ns(b)} | {ns(j)} | {ratio(j, b)} |")
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

def r(group, peer):
    row = m[group]
    return row[peers.index(peer)] / row[0]

print()
print("| goal (issue 13) | this run |")
print("| --- | --- |")
try:
    goal(f"HS256 verify ≥ 3× faster than jsonwebtoken 12 ({r('verify_hs256', 'jsonwebtoken'):.2f}×)", r('verify_hs256', 'jsonwebtoken') >= 3)
    goal(f"HS256 verify ≥ 5× faster than jwt-simple ({r('verify_hs256', 'jwt-simple'):.2f}×)", r('verify_hs256', 'jwt-simple') >= 5)
    goal(f"HS256 verify no slower than the floor (barejwt / floor {1 / r('verify_hs256', 'floor'):.2f}×)", r('verify_hs256', 'floor') >= 1)
    goal(f"HS256 sign ≥ 2.5× faster than jsonwebtoken 12 ({r('sign_hs256', 'jsonwebtoken'):.2f}×)", r('sign_hs256', 'jsonwebtoken') >= 2.5)
    for group, name in [("sign_hs512", "HS512 sign"), ("verify_hs512", "HS512 verify"),
                        ("sign_large", "1 KiB sign"), ("verify_large", "1 KiB verify")]:
        goal(f"{name} ≥ 2× faster than jsonwebtoken 12 ({r(group, 'jsonwebtoken'):.2f}×)", r(group, 'jsonwebtoken') >= 2)
    bad = m["verify_bad_signature"][0]
    goal(f"bad signature ≤ MAC + decoding the signature segment ({bad / forged_floor:.2f}×)", bad <= forged_floor)
    plain = int(counts.get(("verify_plain", "barejwt"), "99"))
    goal(f"≤ 1 allocation per verify beyond the caller's type ({plain} with no heap field in the claims)", plain <= 1)
    rej = max(int(counts.get(("bad_signature", "barejwt"), "99")), int(counts.get(("expired", "barejwt"), "99")))
    goal(f"no allocation on a rejection ({rej})", rej == 0)
except (TypeError, ZeroDivisionError):
    print("| (a row is missing: see criterion's output) | — |")
print()
print(f"CPU: {os.environ['CPU']} ({os.environ['SHANI']}, {os.environ['CORES']} cores); "
      f"{os.environ['RUSTC']}; load average {os.environ['load_before']} before, "
      f"{os.environ['load_after']} after.")
EOF
