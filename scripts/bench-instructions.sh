#!/usr/bin/env bash
# Counts the instructions of one call of each case under valgrind's
# callgrind: a figure the machine's load does not change, where times on a
# busy machine move by 30% from one run to the next. README.md's table of
# instruction counts comes from here.
#
#   scripts/bench-instructions.sh        # needs valgrind (Debian: valgrind); ~3 minutes
#
# Each case is `benches/jwt.rs --loop CASE N` (the tutorial's token, HS256,
# checked once before the loop), or `case/row`, a row of the timed benches
# run by its own loop (the peers, and the 1 KiB claims). The count per
# call is that of 30,000 calls minus that of 10,000, over 20,000, so the
# set-up cancels out. Under valgrind sha2 runs its portable code (no
# SHA-NI), about 3,370 instructions a compression: a barejwt verify does
# three, and so does the floor, but jsonwebtoken keys its HMAC anew on
# every call (two more). Each count is shown whole, without SHA-256, and
# with its number of compressions; with SHA-NI the compressions are a
# small part of the time, and the ratios without them are close to the
# timed ratios of `scripts/bench-report.sh`. For barejwt/verify the
# one-pass claims reading (`onepass::read`, with all it calls) is shown
# too, against serde_json/claims, which is how the floor reads the same
# claims.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || {
    echo "needs valgrind (apt-get install valgrind)" >&2
    exit 2
}
BIN=$(cargo bench --bench jwt --no-run --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "jwt" and m.get("executable"):
        print(m["executable"])')
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

CASES="barejwt/verify floor/verify barejwt/bad_signature floor/bad_signature barejwt/sign floor/sign serde_json/claims
verify_hs256/jsonwebtoken verify_hs256/jwt-simple sign_hs256/jsonwebtoken
verify_large/barejwt verify_large/jsonwebtoken verify_large/floor"
for case in $CASES; do
    for n in 10000 30000; do
        out="$TMP/$(echo "$case" | tr / _).$n"
        valgrind --tool=callgrind --callgrind-out-file="$out" "$BIN" --loop "$case" "$n" >/dev/null 2>&1
        callgrind_annotate --threshold=100 --auto=no "$out" >"$out.self"
        callgrind_annotate --threshold=100 --auto=no --inclusive=yes "$out" >"$out.incl"
    done
done

export TMP CASES
python3 - <<'EOF'
import os, re

tmp = os.environ["TMP"]

def count(path, pick):
    """The sum of the lines whose function `pick` accepts. (Inclusive
    counts list a function once per source file it was inlined from: there
    the largest line is the function's own.)"""
    found = []
    for line in open(path):
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(.*)", line)
        if m and pick(m.group(2)):
            found.append(int(m.group(1).replace(",", "")))
    return max(found, default=0) if path.endswith(".incl") else sum(found)

def everything(name): return name.startswith("PROGRAM TOTALS")
def sha(name): return "sha2::sha256::soft" in name
# onepass::read, or `decode`'s closure that is nothing but a call to it,
# where the compiler inlined one into the other.
def one(name): return re.search(r"src/onepass\.rs:barejwt::(onepass::read|jwt::decode::\{\{closure\}\})", name) is not None

def per_call(case, path_kind, pick):
    base = os.path.join(tmp, case.replace("/", "_"))
    a = count(f"{base}.10000.{path_kind}", pick)
    b = count(f"{base}.30000.{path_kind}", pick)
    return (b - a) / 20000

# One SHA-256 compression of sha2's portable code, in instructions: a
# barejwt verify of the tutorial's token does exactly three.
per_compression = per_call("barejwt/verify", "self", sha) / 3
rest_of = {}
print("| case (instructions per call) | total | without SHA-256 | SHA-256 compressions |")
print("| --- | ---: | ---: | ---: |")
for case in os.environ["CASES"].split():
    total = per_call(case, "self", everything)
    shas = per_call(case, "self", sha)
    rest_of[case] = total - shas
    print(f"| {case} | {total:,.0f} | {total - shas:,.0f} | {shas / per_compression:.1f} |")
print()
print("Without SHA-256 (which SHA-NI makes a small part of a verify's time), peer / barejwt:")
for peer, ours in [
    ("verify_hs256/jsonwebtoken", "barejwt/verify"),
    ("floor/verify", "barejwt/verify"),
    ("sign_hs256/jsonwebtoken", "barejwt/sign"),
    ("floor/sign", "barejwt/sign"),
    ("verify_large/jsonwebtoken", "verify_large/barejwt"),
    ("verify_large/floor", "verify_large/barejwt"),
]:
    print(f"- {peer} / {ours}: {rest_of[peer] / rest_of[ours]:.2f}×")
print()
print("(jwt-simple hashes with its own SHA-256 code, not sha2's: its count has no part to take out.)")
print()
print(f"Of barejwt/verify, the one-pass claims reading (`onepass::read`): {per_call('barejwt/verify', 'incl', one):,.0f}.")
print(f"valgrind {os.popen('valgrind --version').read().strip()}; {os.popen('rustc --version').read().strip()}.")
EOF
