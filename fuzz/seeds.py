#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, built from ../vectors/.

Writes fuzz/seeds/<target>/<name> (standard library only, deterministic).
`run.sh` copies the seeds into corpus/<target>/ before a run; the committed
corpus is what `cargo fuzz cmin` keeps of seeds plus findings.

- decode:    every verify token as received; every token's signing input
             (`header.payload`: the target appends the right MAC itself);
             tokens signed with the target's own keys (see decode.rs), one
             per key and validation, so the fuzzer starts from accepted
             tokens.
- base64url: every base64url vector's text, and its decoded bytes.
- hmac:      every hmac vector as [selector, key length, key, message] in
             the layout hmac.rs reads.
- claims:    structured input: a few fixed byte strings (arbitrary reads
             any bytes).
- differential: every verify token's decoded header and payload, joined
             by 0xFF (the target signs them itself).
- secret_file: JWK Set files as the server reads them: accepted ones
             (with "current" and "kidless") and one refused for each rule.
"""
import base64
import hashlib
import hmac
import json
import pathlib
import random
import sys

HERE = pathlib.Path(__file__).resolve().parent
VECTORS = HERE.parent / "vectors"
OUT = HERE / "seeds"

# The decode target's keys (fuzz_targets/decode.rs), as text.
SECRET_256 = b"barejwt fuzz key for HS256 (32+ bytes)"
SECRET_384 = b"barejwt fuzz key for HS384 ......... (48+ bytes)"
SECRET_ANY = b"barejwt fuzz key for any alg ......................... (64+ bytes)"
HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
ALGS = ["HS256", "HS384", "HS512"]


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(header: dict, claims: dict, secret: bytes) -> str:
    h = b64u(json.dumps(header, separators=(",", ":")).encode())
    p = b64u(json.dumps(claims, separators=(",", ":")).encode())
    tag = hmac.new(secret, f"{h}.{p}".encode(), HASHES[header["alg"]]).digest()
    return f"{h}.{p}.{b64u(tag)}"


def vectors():
    for path in sorted(VECTORS.glob("*.json")):
        for v in json.loads(path.read_text())["vectors"]:
            yield path.stem, v


def unb64u(text: str):
    """Lenient base64url decoding (the seeds may start from malformed tokens), or None."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, UnicodeEncodeError):
        return None


def write(target: str, name: str, data: bytes, seen: set):
    if data in seen:
        return
    seen.add(data)
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def main() -> int:
    seen = {t: set() for t in ["decode", "base64url", "hmac", "claims", "differential", "secret_file"]}
    for stem, v in vectors():
        vid = f"{stem}-{v['id']}"
        kind = v["kind"]
        if kind in ("verify", "sign"):
            token = v.get("token") or v.get("expect_token")
            if isinstance(token, str):
                raw = token.encode("utf-8", "surrogateescape")
                write("decode", vid, raw, seen["decode"])
                if raw.count(b".") == 2:
                    write("decode", vid + "-signing-input", raw.rsplit(b".", 1)[0], seen["decode"])
                segments = [unb64u(s) for s in token.split(".")[:2]]
                if len(segments) == 2 and None not in segments:
                    write("differential", vid, segments[0] + b"\xff" + segments[1], seen["differential"])
        elif kind == "base64url":
            text = v["encoded"].encode("utf-8", "surrogateescape")
            write("base64url", vid, text, seen["base64url"])
            if "decoded_hex" in v:
                write("base64url", vid + "-bytes", bytes.fromhex(v["decoded_hex"]), seen["base64url"])
        elif kind == "hmac":
            key = bytes.fromhex(v["key_hex"])
            msg = bytes.fromhex(v["msg_hex"])
            if len(key) <= 255:
                # selector: alg index + 3 * 5 ("any length up to 255").
                selector = ALGS.index(v["alg"]) + 15
                write("hmac", vid, bytes([selector, len(key)]) + key + msg, seen["hmac"])

    # Tokens the decode target accepts (its NOW is 1700000000).
    strict = {
        "iss": "https://issuer.example",
        "aud": "barejwt-fuzz",
        "sub": "alice",
        "exp": 1700003600,
        "nbf": 1699999000,
        "iat": 1699999000,
        "jti": "j1",
    }
    lax = {"sub": "alice", "exp": 1700003600.5, "name": "Ada \u00e9"}
    accepted = [
        ("hs256-single-strict", {"alg": "HS256", "typ": "JWT"}, strict, SECRET_256),
        ("hs256-single-lax", {"alg": "HS256"}, lax, SECRET_256),
        ("hs256-kid-strict", {"alg": "HS256", "typ": "JWT", "kid": "hs256"}, strict, SECRET_256),
        ("hs384-kid-lax", {"alg": "HS384", "kid": "hs384"}, lax, SECRET_384),
        ("hs512-any-strict", {"alg": "HS512", "typ": "JWT", "kid": "any"}, strict, SECRET_ANY),
        ("hs256-any-lax", {"alg": "HS256", "kid": "any", "cty": "JWT"}, lax, SECRET_ANY),
    ]
    for name, header, claims, secret in accepted:
        token = sign(header, claims, secret).encode()
        write("decode", "accepted-" + name, token, seen["decode"])
        write("decode", "accepted-" + name + "-signing-input", token.rsplit(b".", 1)[0], seen["decode"])

    # JSON mode: header 0xFF payload (the target encodes and signs them).
    for name, header, claims, _ in accepted:
        raw = json.dumps(header, separators=(",", ":")).encode() + b"\xff"
        raw += json.dumps(claims, separators=(",", ":")).encode()
        write("decode", "json-" + name, raw, seen["decode"])

    # Structured input for claims: deterministic pseudo-random bytes.
    rng = random.Random(4)
    for i in range(24):
        n = rng.choice([32, 64, 96, 160, 256])
        write("claims", f"random-{i:02}", bytes(rng.randrange(256) for _ in range(n)), seen["claims"])

    # JWK Set files for the server (secret_file): accepted, then one per rule.
    def oct(kid, fill, n=32, **more):
        key = {"kty": "oct", "k": b64u(bytes([fill]) * n)}
        if kid is not None:
            key["kid"] = kid
        key.update(more)
        return key

    sets = {
        "one": {"keys": [oct("2026-11", 1)]},
        "two-current": {"keys": [oct("2026-11", 1), oct("2026-12", 2, alg="HS256")], "current": "2026-12"},
        "kidless": {"keys": [oct("old", 3, 40), oct("new", 4, use="sig")], "current": "new", "kidless": "old"},
        "extra-members": {"keys": [oct("a", 5)], "x-note": [1, {"k": "not a key"}]},
        "no-kid": {"keys": [oct(None, 1)]},
        "same-kid": {"keys": [oct("a", 1), oct("a", 2)]},
        "short": {"keys": [oct("a", 1, 31)]},
        "hs512": {"keys": [oct("a", 1, 64, alg="HS512")]},
        "rsa": {"keys": [{"kty": "RSA", "kid": "r", "n": "AQAB", "e": "AQAB"}]},
        "empty": {"keys": []},
        "unknown-current": {"keys": [oct("a", 1)], "current": "b"},
    }
    for name, body in sets.items():
        write("secret_file", name, json.dumps(body, indent=1).encode(), seen["secret_file"])
    write("secret_file", "repeated-k", b'{"keys": [{"kty": "oct", "kid": "a", "k": "' + b64u(b"\x01" * 32).encode() + b'", "k": "AAAA"}]}', seen["secret_file"])

    for t, s in seen.items():
        print(f"{t}: {len(s)} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
