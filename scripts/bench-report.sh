#!/usr/bin/env bash
# Runs the benchmarks (benches/jwt.rs) and the allocation counts
# (tests/allocations.rs), then prints the markdown table README.md shows:
# the median ns/op of every row, the ratios peer/barejwt and barejwt/floor,
# the goals of issue 6 checked against this run, and the machine it ran on.
#
#   scripts/bench-report.sh              # about 2-3 minutes
#   MEASURE=5 scripts/bench-report.sh    # longer, steadier
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
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
allocs=$(cargo test --quiet --test allocations -- --nocapture 2>/dev/null | grep '^alloc ' || true)

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
SHANI=$(grep -qw sha_ni /proc/cpuinfo && echo "SHA-NI" || echo "no SHA-NI")
CORES=$(nproc)
RUSTC=$(rustc --version)

export TARGET CPU SHANI CORES RUSTC load_before load_after allocs
python3 - <<'EOF'
import json, os

root = os.path.join(os.environ["TARGET"], "criterion")

def median(group, row):
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

peers = ["barejwt", "jsonwebtoken", "jwt-simple"]
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

print(f"Median ns/op; ratios above 1× mean barejwt is faster.\n")
print("| case | barejwt | jsonwebtoken | jwt-simple | jsonwebtoken / barejwt | jwt-simple / barejwt |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
m = {}
for group, name in cases:
    row = [median(group, p) for p in peers]
    m[group] = row
    print(f"| {name} | {ns(row[0])} | {ns(row[1])} | {ns(row[2])} | {ratio(row[1], row[0])} | {ratio(row[2], row[0])} |")

def floors(group):
    return {k: median(group, k) for k in ["hmac_sha256", "base64url_decode", "claims_parse"]}

f, fl = floors("floor"), floors("floor_large")
def total(d, keys):
    vals = [d[k] for k in keys]
    return None if None in vals else sum(vals)
naive = total(f, ["hmac_sha256", "base64url_decode", "claims_parse"])
naive_large = total(fl, ["hmac_sha256", "base64url_decode", "claims_parse"])
mac_b64 = total(f, ["hmac_sha256", "base64url_decode"])

print()
print("| floor | tutorial token | 1 KiB claims |")
print("| --- | ---: | ---: |")
print(f"| HMAC-SHA256, key state precomputed (`hmac`) | {ns(f['hmac_sha256'])} | {ns(fl['hmac_sha256'])} |")
print(f"| base64url decoding, 3 segments (`base64`) | {ns(f['base64url_decode'])} | {ns(fl['base64url_decode'])} |")
print(f"| claims parse (`serde_json`) | {ns(f['claims_parse'])} | {ns(fl['claims_parse'])} |")
print(f"| naive verifier: the sum | {ns(naive)} | {ns(naive_large)} |")
print()
print("| barejwt against its floor | barejwt / floor |")
print("| --- | ---: |")
print(f"| HS256 verify / naive verifier | {ratio(m['verify_hs256'][0], naive)} |")
print(f"| bad signature / (HMAC + base64url) | {ratio(m['verify_bad_signature'][0], mac_b64)} |")
print(f"| 1 KiB verify / naive verifier | {ratio(m['verify_large'][0], naive_large)} |")

counts = {}
for line in os.environ.get("allocs", "").splitlines():
    _, case, lib, n = line.split()
    counts[(case, lib)] = n
print()
print("| allocations per call | barejwt | jsonwebtoken | jwt-simple |")
print("| --- | ---: | ---: | ---: |")
for case in ["sign", "verify"]:
    print(f"| HS256 {case} | " + " | ".join(counts.get((case, p), "—") for p in peers) + " |")

def goal(text, ok):
    mark = "met" if ok else "**missed**"
    print(f"| {text} | {mark} |")

v, s, bad = m["verify_hs256"], m["sign_hs256"], m["verify_bad_signature"][0]
print()
print("| goal (issue 6) | this run |")
print("| --- | --- |")
try:
    goal(f"verify ≥ 3× faster than jsonwebtoken ({v[1] / v[0]:.2f}×)", v[1] / v[0] >= 3)
    goal(f"verify ≥ 5× faster than jwt-simple ({v[2] / v[0]:.2f}×)", v[2] / v[0] >= 5)
    goal(f"verify no slower than the naive floor ({v[0] / naive:.2f}×)", v[0] <= naive)
    goal(f"sign ≥ 2× faster than jsonwebtoken ({s[1] / s[0]:.2f}×)", s[1] / s[0] >= 2)
    goal(f"bad signature ≤ HMAC + base64url ({bad / mac_b64:.2f}×)", bad <= mac_b64)
    n = int(counts.get(("verify", "barejwt"), "99"))
    goal(f"≤ 3 allocations per verify ({n})", n <= 3)
except TypeError:
    print("| (a row is missing: see criterion's output) | — |")

print()
print(f"CPU: {os.environ['CPU']} ({os.environ['SHANI']}, {os.environ['CORES']} cores); "
      f"{os.environ['RUSTC']}; load average {os.environ['load_before']} before, "
      f"{os.environ['load_after']} after.")
EOF
