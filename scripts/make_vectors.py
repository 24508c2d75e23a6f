#!/usr/bin/env python3
"""Build and check barejwt's own negative and edge-case test vectors.

The format is the one in the project's vector-format contract (format 1):
every file is {"format": 1, "source": ..., "vectors": [...]} and each vector
has an id, a kind (verify, sign, hmac, base64url), a description and the
expected outcome.

Everything here is computed, nothing is copied: each token is assembled from
exact header/payload bytes and signed with Python's hmac module, so a token is
correctly signed unless its vector is about a bad signature.  Before anything
is written, every vector is re-checked by a small reference model of the
verifier written from the contract (see `model_verify`), which must reach the
expected outcome, and must find exactly one broken rule (two, in different
stages, for the stage-order vectors).  The model is also run over the four
copied reference files in vectors/ and must agree with them.  Base64url
strictness is decided by two independent decoders (one built on the base64
module, one bit by bit) that must agree; HMAC tags are computed with the hmac
module and with a hand-written RFC 2104 construction that must agree.

Usage (from the repository root or anywhere):
    python3 scripts/make_vectors.py           # check, then write vectors/*.json
    python3 scripts/make_vectors.py --check   # check, and compare with the files on
                                              # disk; exit 1 if anything differs

Standard library only; deterministic (no clock, no randomness).
"""
import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS_DIR = os.path.join(ROOT, "vectors")
REFERENCE_FILES = ["rfc-jws-hmac.json", "rfc4231-hmac.json", "rfc4648-base64url.json",
                   "seed-tutorial.json"]

HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
DIGEST = {alg: h().digest_size for alg, h in HASHES.items()}
BLOCK = {alg: h().block_size for alg, h in HASHES.items()}
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
B64URL_RE = re.compile(r"[A-Za-z0-9_-]*")  # used with fullmatch ("$" would accept a final "\n")
DEFAULT_MAX_TOKEN_BYTES = 8192  # the contract's minimum for the implementation default
# Header parameters registered by RFC 7515 section 4.1 (crit must not name them).
REGISTERED_HEADER = {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ",
                     "cty", "crit"}
NOW = 1700000000


class Fail(Exception):
    pass


# ------------------------------------------------------------------ base64url
def b64u_enc(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_dec_strict(text: str) -> bytes:
    """RFC 4648 section 5 without padding, strict (decoder 1: base64 module)."""
    if not B64URL_RE.fullmatch(text):
        raise ValueError("character outside the base64url alphabet")
    if len(text) % 4 == 1:
        raise ValueError("impossible length (4n+1)")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64u_enc(data) != text:
        raise ValueError("non-zero trailing bits")
    return data


def b64u_dec_bitwise(text: str) -> bytes:
    """The same strict rules, bit by bit, without the base64 module (decoder 2)."""
    if len(text) % 4 == 1:
        raise ValueError("impossible length (4n+1)")
    acc = bits = 0
    out = bytearray()
    for ch in text:
        if len(ch) != 1 or ch not in ALPHABET:
            raise ValueError("character outside the base64url alphabet")
        acc = (acc << 6) | ALPHABET.index(ch)
        bits += 6
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
            acc &= (1 << bits) - 1
    if acc:
        raise ValueError("non-zero trailing bits")
    return bytes(out)


def strict_decode(text: str):
    """Decode with both strict decoders; they must agree.  None when malformed."""
    results = []
    for dec in (b64u_dec_strict, b64u_dec_bitwise):
        try:
            results.append(dec(text))
        except (ValueError, binascii.Error):
            results.append(None)
    assert results[0] == results[1], f"strict decoders disagree on {text!r}"
    return results[0]


def lenient_decode(text: str):
    """What a lax decoder would make of a segment: standard alphabet and '='
    padding accepted, trailing bits ignored, a final lone character dropped.
    Used only to show that a malformed segment breaks nothing but strictness."""
    if any(c not in ALPHABET + "+/=" for c in text):
        return None
    t = text.rstrip("=")
    if "=" in t:
        return None
    t = t.replace("+", "-").replace("/", "_")
    if len(t) % 4 == 1:
        t = t[:-1]
    return base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))


def set_trailing_bit(seg: str, bit: int = 1) -> str:
    """Set one of the unused low bits of the last character (strict decoders
    must reject it; lax ones decode the same bytes)."""
    unused = {2: 4, 3: 2}[len(seg) % 4]
    v = ALPHABET.index(seg[-1])
    assert v & ((1 << unused) - 1) == 0 and bit < (1 << unused)
    out = seg[:-1] + ALPHABET[v | bit]
    assert strict_decode(out) is None and lenient_decode(out) == strict_decode(seg)
    return out


# ----------------------------------------------------------------------- HMAC
def mac(alg: str, key: bytes, msg: bytes) -> bytes:
    return hmac.new(key, msg, HASHES[alg]).digest()


def mac_rfc2104(alg: str, key: bytes, msg: bytes) -> bytes:
    """HMAC written out (RFC 2104 section 2), to cross-check the hmac module."""
    h = HASHES[alg]
    b = BLOCK[alg]
    if len(key) > b:
        key = h(key).digest()
    key = key.ljust(b, b"\0")
    inner = h(bytes(k ^ 0x36 for k in key) + msg).digest()
    return h(bytes(k ^ 0x5C for k in key) + inner).digest()


def checked_mac(alg, key, msg):
    t = mac(alg, key, msg)
    assert t == mac_rfc2104(alg, key, msg)
    return t


# ----------------------------------------------------------------------- JSON
def jdump(obj) -> str:
    """Compact JSON text, as most signers write it."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def jloads_strict(text: str):
    """RFC 8259 JSON with duplicate names rejected (after unescaping, since the
    hook sees decoded names) and NaN/Infinity rejected."""
    def pairs(items):
        names = [k for k, _ in items]
        if len(names) != len(set(names)):
            raise Fail("duplicate member name")
        return dict(items)

    def const(name):
        raise Fail(f"{name} is not JSON")

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=const)
    except (ValueError, RecursionError) as e:
        raise Fail(f"not JSON: {e}") from None


def raw(x) -> bytes:
    if isinstance(x, bytes):
        return x
    if isinstance(x, str):
        return x.encode("utf-8")
    return jdump(x).encode("utf-8")


# --------------------------------------------------------------------- tokens
def sign_segments(h: str, p: str, key: bytes, alg: str) -> str:
    """Sign the literal text h.p (whatever it holds) and return h.p.sig."""
    sig = checked_mac(alg, key, (h + "." + p).encode("utf-8"))
    return f"{h}.{p}.{b64u_enc(sig)}"


def token(header, payload, key: bytes, alg=None) -> str:
    if alg is None:
        alg = header["alg"]
    return sign_segments(b64u_enc(raw(header)), b64u_enc(raw(payload)), key, alg)


def parts(tok):
    h, p, s = tok.split(".")
    return h, p, s


def derive_key(label: str, n: int) -> bytes:
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha512(f"barejwt test key {label} {i}".encode()).digest()
        i += 1
    return out[:n]


def jwk(key: bytes, **extra):
    d = {"kty": "oct"}
    d.update(extra)
    d["k"] = b64u_enc(key)
    return d


def k_hex(key: bytes):
    return {"key_hex": key.hex()}


def k_utf8(text: str):
    return {"key_utf8": text}


def k_jwk(key: bytes, **extra):
    return {"key": jwk(key, **extra)}


def k_jwks(*jwks):
    return {"jwks": {"keys": list(jwks)}}


# ------------------------------------------------------------ reference model
def key_bytes_of_jwk(j):
    assert j.get("kty") == "oct"
    kb = strict_decode(j["k"])
    assert kb is not None
    return kb


def model_verify(v):
    """Apply the contract to a verify vector.  Returns (fails, header, claims)
    where fails lists (stage, code, rule) in stage order; the model goes on
    past a failure whenever it can (lax decoding of a non-strict segment, an
    unaccepted but known HMAC alg) so that every broken rule is seen."""
    fails = []
    tok = v["token"]
    val = v.get("validation", {})
    now = v.get("now")
    header = claims = None

    # stage 1: size
    size = len(tok.encode("utf-8"))
    if "max_token_bytes" in val:
        if size > val["max_token_bytes"]:
            fails.append((1, "too_large", f"{size} bytes > max_token_bytes"))
    else:
        assert size <= DEFAULT_MAX_TOKEN_BYTES, "would depend on the implementation default"

    # stage 2: structure
    segs = tok.split(".")
    if len(segs) != 3:
        fails.append((2, "malformed", f"{len(segs)} segments"))
        return fails, header, claims
    decoded = []
    for name, seg in zip(("header", "payload", "signature"), segs):
        d = strict_decode(seg)
        if d is None:
            fails.append((2, "malformed", f"{name} segment not strict base64url"))
            d = lenient_decode(seg)
            if d is None:
                return fails, header, claims
        decoded.append(d)
    hbytes, pbytes, sig = decoded
    try:
        header = jloads_strict(hbytes.decode("utf-8"))
    except (UnicodeDecodeError, Fail) as e:
        fails.append((2, "malformed", f"header: {e}"))
        return fails, None, claims
    if not isinstance(header, dict):
        fails.append((2, "malformed", "header not a JSON object"))
        return fails, None, claims
    alg = header.get("alg")
    if not isinstance(alg, str):
        fails.append((2, "malformed", "alg missing or not a string"))
        return fails, header, claims
    crit_ok = False
    if "crit" in header:
        c = header["crit"]
        if not isinstance(c, list) or not c or not all(isinstance(x, str) for x in c):
            fails.append((2, "malformed", "crit not a non-empty array of strings"))
        elif any(x in REGISTERED_HEADER for x in c):
            fails.append((2, "malformed", "crit names a registered parameter"))
        elif any(x not in header for x in c):
            fails.append((2, "malformed", "crit names an absent parameter"))
        else:
            crit_ok = True

    # stage 3: header
    accepted = val.get("algorithms", ["HS256"])
    assert all(a in HASHES or a == "none" for a in accepted)
    if alg == "none" or alg not in accepted:
        fails.append((3, "algorithm", f"alg {alg!r} not accepted"))
    if crit_ok:
        fails.append((3, "unsupported_critical", f"crit {header['crit']}"))
    if "typ" in val:
        def norm(t):
            t = t.lower()
            return t[len("application/"):] if t.startswith("application/") else t
        htyp = header.get("typ")
        assert htyp is None or isinstance(htyp, str), "non-string typ is not settled"
        if htyp is None or norm(htyp) != norm(val["typ"]):
            fails.append((3, "invalid_type", f"typ {htyp!r}"))
    if "key" in v and "alg" in v["key"] and v["key"]["alg"] != alg:
        fails.append((3, "algorithm", "single JWK is for another alg"))
    if alg not in HASHES:
        return fails, header, claims

    # stage 4: key
    if "jwks" in v:
        keys = v["jwks"]["keys"]
        if "kid" in header:
            kid = header["kid"]
            found = [k for k in keys if isinstance(kid, str) and k.get("kid") == kid]
            assert len(found) <= 1, "duplicate kids in a set are not settled"
        else:
            found = keys if len(keys) == 1 else []
        if not found:
            fails.append((4, "unknown_key", "no key for this kid"))
            return fails, header, claims
        j = found[0]
        if "alg" in j and j["alg"] != alg:
            fails.append((4, "algorithm", "selected JWK is for another alg"))
        key = key_bytes_of_jwk(j)
    elif "key" in v:
        key = key_bytes_of_jwk(v["key"])
    elif "key_utf8" in v:
        key = v["key_utf8"].encode("utf-8")
    else:
        key = bytes.fromhex(v["key_hex"])
    if len(key) < DIGEST[alg] and not val.get("allow_weak_keys", False):
        fails.append((4, "weak_key", f"{len(key)}-byte key for {alg}"))

    # stage 5: signature (full-length tag, over the literal signing input)
    signing_input = tok.rsplit(".", 1)[0].encode("utf-8")
    if not hmac.compare_digest(sig, checked_mac(alg, key, signing_input)):
        fails.append((5, "bad_signature", "MAC mismatch"))

    # stage 6: claims
    try:
        claims = jloads_strict(pbytes.decode("utf-8"))
    except (UnicodeDecodeError, Fail) as e:
        fails.append((6, "malformed", f"payload: {e}"))
        return fails, header, None
    if not isinstance(claims, dict):
        fails.append((6, "malformed", "payload not a JSON object"))
        return fails, header, None

    def is_num(x):
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    for name in val.get("required", []):
        if name not in claims:
            fails.append((6, "missing_claim", f"required {name}"))
    for name in ("iss", "sub", "aud"):
        if name in val and name not in claims:
            fails.append((6, "missing_claim", f"{name} named by the verifier"))
    leeway = val.get("leeway", 0)
    for name in ("exp", "nbf", "iat"):
        if name in claims:
            if not is_num(claims[name]):
                fails.append((6, "invalid_claim", f"{name} not a number"))
            else:
                assert now is not None, "time claims need now"
    if is_num(claims.get("exp")) and now >= claims["exp"] + leeway:
        fails.append((6, "expired", "now >= exp + leeway"))
    if is_num(claims.get("nbf")) and now < claims["nbf"] - leeway:
        fails.append((6, "not_yet_valid", "now < nbf - leeway"))
    if "iss" in val and "iss" in claims and claims["iss"] != val["iss"]:
        fails.append((6, "invalid_issuer", "iss differs"))
    if "sub" in val and "sub" in claims and claims["sub"] != val["sub"]:
        fails.append((6, "invalid_subject", "sub differs"))
    if "aud" in claims:
        a = claims["aud"]
        if "aud" not in val:
            fails.append((6, "invalid_audience", "token has aud, verifier names none"))
        elif isinstance(a, str):
            if a != val["aud"]:
                fails.append((6, "invalid_audience", "aud differs"))
        elif not (isinstance(a, list) and all(isinstance(x, str) for x in a)
                  and val["aud"] in a):
            fails.append((6, "invalid_audience", "aud not a string array holding it"))
    return fails, header, claims


def check_verify(v, stages, oracle=None):
    fails, header, claims = model_verify(v)
    if oracle:
        fails = fails + oracle()
    seen = [f[0] for f in fails]
    for s in set(seen):
        assert seen.count(s) == 1, f"{v['id']}: two rules of stage {s}: {fails}"
    if stages is not None:
        assert len(set(seen)) == stages, f"{v['id']}: expected {stages} failing stages: {fails}"
    fails.sort(key=lambda f: f[0])
    expected = "valid" if not fails else {"error": fails[0][1]}
    assert v["expect"] == expected, f"{v['id']}: model says {expected}: {fails}"
    if "header" in v:
        assert v["header"] == header, v["id"]
    if "claims" in v:
        assert v["claims"] == claims, v["id"]
    if any(k in (claims or {}) for k in ("exp", "nbf", "iat")):
        assert "now" in v, v["id"]


def resolve_sign_key(v):
    if "key" in v:
        return key_bytes_of_jwk(v["key"])
    if "key_utf8" in v:
        return v["key_utf8"].encode("utf-8")
    return bytes.fromhex(v["key_hex"])


def check_sign(v):
    alg = v["alg"]
    key = resolve_sign_key(v)
    if "header_b64u" in v:
        h, p = v["header_b64u"], v["payload_b64u"]
        assert strict_decode(h) is not None and strict_decode(p) is not None
    else:
        h, p = b64u_enc(v["header_json"].encode()), b64u_enc(v["payload_json"].encode())
    hdr = jloads_strict(strict_decode(h).decode("utf-8"))
    assert hdr["alg"] == alg, "a header alg other than the sign alg is not settled"
    if len(key) < DIGEST[alg]:
        assert v.get("expect") == {"error": "weak_key"} and "expect_token" not in v, v["id"]
        return
    assert "expect" not in v, v["id"]
    t = sign_segments(h, p, key, alg)
    assert v["expect_token"] == t, v["id"]
    # the produced token must pass stages 1-5 of the verifier
    probe = {"token": t, "key_hex": key.hex(), "now": NOW, "validation": {"algorithms": [alg]}}
    fails, _, _ = model_verify(probe)
    assert all(f[0] == 6 for f in fails), (v["id"], fails)


def check_hmac(v):
    key, msg = bytes.fromhex(v["key_hex"]), bytes.fromhex(v["msg_hex"])
    tag = bytes.fromhex(v["mac_hex"])
    full = checked_mac(v["alg"], key, msg)
    assert 10 <= len(tag) <= len(full), v["id"]
    ok = full[:len(tag)] == tag
    assert v["expect"] == ("valid" if ok else "invalid"), v["id"]


def check_b64(v):
    d = strict_decode(v["encoded"])
    if v["expect"] == "valid":
        assert d is not None and d.hex() == v["decoded_hex"], v["id"]
        assert b64u_enc(d) == v["encoded"]
    else:
        assert v["expect"] == {"error": "malformed"} and d is None, v["id"]


def check_vector(v, meta):
    kind = v["kind"]
    if kind == "verify":
        check_verify(v, meta.get("stages"), meta.get("oracle"))
    elif kind == "sign":
        check_sign(v)
    elif kind == "hmac":
        check_hmac(v)
    elif kind == "base64url":
        check_b64(v)
    else:
        raise AssertionError(f"unknown kind {kind}")


# ------------------------------------------------------------ file building
class VFile:
    def __init__(self, name, topic):
        self.name = name
        self.topic = topic
        self.vectors = []
        self.meta = {}

    def add(self, v, **meta):
        assert v["id"] not in self.meta, f"duplicate id {v['id']} in {self.name}"
        self.vectors.append(v)
        self.meta[v["id"]] = meta

    def verify(self, vid, desc, tok, key, expect="valid", now=NOW, validation=None,
               header=None, claims=None, stages=None, oracle=None):
        v = {"id": vid, "kind": "verify", "description": desc, "token": tok}
        v.update(key)
        if now is not None:
            v["now"] = now
        if validation:
            v["validation"] = validation
        v["expect"] = "valid" if expect == "valid" else {"error": expect}
        if header is not None:
            v["header"] = header
        if claims is not None:
            v["claims"] = claims
        if stages is None:
            stages = 0 if expect == "valid" else 1
        self.add(v, stages=stages, oracle=oracle)

    def doc(self):
        return {"format": 1, "source": f"barejwt negative vectors: {self.topic}",
                "vectors": self.vectors}


# Keys: full length for their algorithm unless a vector is about weak keys.
K256 = derive_key("hs256", 32)
K384 = derive_key("hs384", 48)
K512 = derive_key("hs512", 64)
K_OTHER = derive_key("other", 32)
K_SET1 = derive_key("set-1", 32)
K_SET2 = derive_key("set-2", 32)
SECRET = "barejwt-test-secret/at-least-32-bytes/utf8"
assert len(SECRET.encode()) >= 32

H256 = {"alg": "HS256", "typ": "JWT"}
P0 = {"sub": "alice", "iat": NOW - 60, "exp": NOW + 3600}
T0 = token(H256, P0, K256)


def hdr_of_len(mod3, extra=None):
    """A small HS256 header whose JSON text length is = mod3 (mod 3)."""
    for i in range(10):
        h = {"alg": "HS256", "kid": "k" * (i + 1)}
        if extra:
            h.update(extra)
        if len(jdump(h)) % 3 == mod3:
            return h
    raise AssertionError


def payload_of_len(mod3):
    for i in range(10):
        p = {"sub": "alice" + "x" * i, "exp": NOW + 3600}
        if len(jdump(p)) % 3 == mod3:
            return p
    raise AssertionError


# ---------------------------------------------------------- negative-structure
def build_structure():
    f = VFile("negative-structure.json", "token size, segment count and base64url strictness")
    kh = k_hex(K256)
    h0, p0, s0 = parts(T0)

    # --- size (stage 1)
    n = len(T0)
    f.verify("struct-max-bytes-exact", f"A correctly signed {n}-byte token with "
             f"max_token_bytes {n}: a token of exactly the limit is accepted.",
             T0, kh, validation={"max_token_bytes": n}, header=H256, claims=P0)
    f.verify("struct-too-large-by-one", f"The same {n}-byte token with max_token_bytes "
             f"{n - 1}: longer than the limit, too_large (stage 1), though it is otherwise valid.",
             T0, kh, "too_large", validation={"max_token_bytes": n - 1})
    f.verify("struct-too-large-100", f"The same valid {n}-byte token with max_token_bytes "
             "100: too_large.", T0, kh, "too_large", validation={"max_token_bytes": 100})
    # a token of exactly 8192 bytes with no max_token_bytes: the default is at least 8192
    for pad in range(6000, 6200):
        t = token(H256, {"sub": "alice", "pad": "a" * pad}, K256)
        if len(t) == DEFAULT_MAX_TOKEN_BYTES:
            break
    else:
        raise AssertionError("no 8192-byte token")
    f.verify("struct-default-limit-8192", "A correctly signed token of exactly 8192 bytes and "
             "no max_token_bytes: the implementation default is at least 8192, and a token "
             "of exactly the limit is accepted, so it is valid.", t, kh)

    # --- segment count (stage 2; RFC 7515 section 7.1, RFC 7519 section 7.2)
    f.verify("struct-empty-token", "The empty string: not three dot-separated segments "
             "(RFC 7515 section 7.1): malformed.", "", kh, "malformed")
    f.verify("struct-two-segments", "header.payload without the signature segment "
             "(two segments, RFC 7515 section 7.1 needs three): malformed.", f"{h0}.{p0}", kh,
             "malformed")
    f.verify("struct-four-segments", "A valid token followed by '.e30' (four segments): "
             "malformed.", T0 + ".e30", kh, "malformed")
    f.verify("struct-trailing-dot", "A valid token followed by a lone '.' (four segments, "
             "the last empty): malformed.", T0 + ".", kh, "malformed")
    f.verify("struct-leading-dot", "A '.' before a valid token (four segments, the first "
             "empty): malformed.", "." + T0, kh, "malformed")
    f.verify("struct-five-segments", "A valid HS256 token with two more segments appended "
             "(five segments, the shape of a JWE compact serialization, RFC 7516 section 7.1): "
             "malformed.", T0 + "." + b64u_enc(b"iv-bytes-123") + "." + b64u_enc(b"tag"), kh,
             "malformed")
    jwe = ".".join([b64u_enc(b'{"alg":"dir","enc":"A128GCM"}'), "",
                    b64u_enc(derive_key("iv", 12)), b64u_enc(derive_key("ct", 40)),
                    b64u_enc(derive_key("tag", 16))])
    f.verify("struct-jwe-compact", "A JWE in compact serialization (five segments, empty "
             "encrypted key as with alg 'dir', RFC 7516 section 7.1). A JWS verifier must "
             "count segments first (RFC 7516 section 9): malformed at stage 2, before the "
             "header is looked at.", jwe, kh, "malformed")
    f.verify("struct-only-dots", "'..': three empty segments; the empty header decodes to "
             "zero bytes, which are not a JSON object: malformed.", "..", kh, "malformed")
    t = sign_segments("", p0, K256, "HS256")
    f.verify("struct-empty-header-segment", "An empty header segment (the token starts with "
             "'.'), signature computed over the literal input: the header is zero bytes, not "
             "a JSON object (RFC 7519 section 7.2 step 4): malformed.", t, kh, "malformed")

    # --- white space and other characters (RFC 7515 section 2: no line breaks,
    #     whitespace or other additional characters)
    f.verify("struct-leading-space", "A space before a valid token: the header segment "
             "holds a character outside the base64url alphabet (RFC 7515 section 2): "
             "malformed.", " " + T0, kh, "malformed")
    f.verify("struct-trailing-newline", "A valid token followed by a line feed: the "
             "signature segment holds white space (RFC 7515 section 2): malformed.",
             T0 + "\n", kh, "malformed")
    t = sign_segments(h0, " " + p0, K256, "HS256")
    f.verify("struct-space-after-dot", "A space at the start of the payload segment (the "
             "signature covers the literal text): malformed (RFC 7515 section 2).", t, kh,
             "malformed")
    t = sign_segments(h0, p0[:20] + "\n" + p0[20:], K256, "HS256")
    f.verify("struct-newline-in-payload", "A MIME-style line feed inside the payload segment "
             "(signature over the literal text): base64url in JWS allows no line breaks "
             "(RFC 7515 section 2): malformed.", t, kh, "malformed")
    f.verify("struct-tab-in-signature", "A tab inside the signature segment: malformed.",
             f"{h0}.{p0}.{s0[:20]}\t{s0[20:]}", kh, "malformed")
    t = sign_segments(h0, p0[:10] + "\u00e9" + p0[10:], K256, "HS256")
    f.verify("struct-non-ascii-in-payload", "A non-ASCII character (U+00E9, two UTF-8 bytes) "
             "inside the payload segment: outside the base64url alphabet, malformed.", t, kh,
             "malformed")
    f.verify("struct-nul-in-signature", "A NUL character inside the signature segment: "
             "malformed.", f"{h0}.{p0}.{s0[:10]}\u0000{s0[10:]}", kh, "malformed")

    # --- padding (RFC 7515 section 2: trailing '=' omitted)
    hh = hdr_of_len(1)  # 2-character tail
    hseg = b64u_enc(raw(hh))
    assert len(hseg) % 4 == 2
    t = sign_segments(hseg + "==", p0, K256, "HS256")
    f.verify("struct-pad-header", "The header segment carries '==' padding (signature "
             "computed over the padded text, so only the padding is wrong). RFC 7515 "
             "section 2: base64url without '=' padding: malformed.", t, kh, "malformed")
    pp = payload_of_len(2)  # 3-character tail
    pseg = b64u_enc(raw(pp))
    assert len(pseg) % 4 == 3
    t = sign_segments(h0, pseg + "=", K256, "HS256")
    f.verify("struct-pad-payload", "The payload segment carries '=' padding (signature over "
             "the padded text): malformed (RFC 7515 section 2).", t, kh, "malformed")
    f.verify("struct-pad-signature", "The correct HS256 signature (43 characters) with a "
             "'=' appended: malformed (RFC 7515 section 2).", T0 + "=", kh, "malformed")

    # --- standard-alphabet characters
    def find_sig_with(ch):
        for i in range(1000):
            t = token(H256, {"sub": "alice", "jti": f"j{i}", "exp": NOW + 3600}, K256)
            if ch in parts(t)[2]:
                return t
        raise AssertionError

    t = find_sig_with("-")
    h, p, s = parts(t)
    f.verify("struct-plus-in-signature", "A correct signature with its first '-' written "
             "as '+' (the standard base64 alphabet; base64url uses '-', RFC 4648 section 5): "
             "malformed.", f"{h}.{p}.{s.replace('-', '+', 1)}", kh, "malformed")
    t = find_sig_with("_")
    h, p, s = parts(t)
    f.verify("struct-slash-in-signature", "A correct signature with its first '_' written "
             "as '/' (standard alphabet): malformed (RFC 4648 section 5).",
             f"{h}.{p}.{s.replace('_', '/', 1)}", kh, "malformed")
    for i in range(1000):
        hh2 = {"alg": "HS256", "kid": f"?>{i}?>"}
        hs = b64u_enc(raw(hh2))
        if "_" in hs or "-" in hs:
            break
    else:
        raise AssertionError
    hs_std = hs.replace("_", "/").replace("-", "+")
    t = sign_segments(hs_std, p0, K256, "HS256")
    f.verify("struct-std-alphabet-header", "The header segment written in the standard "
             "base64 alphabet ('+' or '/' where base64url has '-' or '_'; signature over the "
             "literal text): malformed (RFC 4648 section 5).", t, kh, "malformed")

    # --- impossible length 4n+1
    h3 = {"alg": "HS256", "typ": "JWT"}
    assert len(b64u_enc(raw(h3))) % 4 == 0
    t = sign_segments(b64u_enc(raw(h3)) + "A", p0, K256, "HS256")
    f.verify("struct-len-4n1-header", "The header segment has 4n+1 characters (a valid "
             "segment plus 'A'; signature over the literal text). No byte string encodes to "
             "4n+1 characters: malformed.", t, kh, "malformed")
    t384 = token({"alg": "HS384"}, P0, K384)
    f.verify("struct-len-4n1-signature", "A correct HS384 signature (64 characters) plus one "
             "'A': 65 characters, an impossible length: malformed.", t384 + "A",
             k_hex(K384), "malformed", validation={"algorithms": ["HS384"]})

    # --- non-zero trailing bits (RFC 4648 section 3.5, canonical encoding)
    t = sign_segments(set_trailing_bit(hseg, 1), p0, K256, "HS256")
    f.verify("struct-trailing-bits-header", "The header segment ends in a 2-character "
             "quantum whose 4 unused bits are not zero (lax decoders give the same bytes; "
             "signature over the literal text). Not canonical base64url (RFC 4648 section "
             "3.5): malformed.", t, kh, "malformed")
    t = sign_segments(h0, set_trailing_bit(pseg, 2), K256, "HS256")
    f.verify("struct-trailing-bits-payload", "The payload segment ends in a 3-character "
             "quantum whose 2 unused bits are not zero: malformed (RFC 4648 section 3.5).", t,
             kh, "malformed")
    f.verify("struct-trailing-bits-signature-hs256", "The correct HS256 signature (32 bytes, "
             "43 characters) with one of the 2 unused bits of its last character set: a lax "
             "decoder gets the right MAC, a strict one rejects it: malformed.",
             f"{h0}.{p0}.{set_trailing_bit(s0, 1)}", kh, "malformed")
    t512 = token({"alg": "HS512"}, P0, K512)
    h5, p5, s5 = parts(t512)
    f.verify("struct-trailing-bits-signature-hs512", "The correct HS512 signature (64 bytes, "
             "86 characters) with the highest of the 4 unused bits of its last character "
             "set: malformed.", f"{h5}.{p5}.{set_trailing_bit(s5, 8)}", k_hex(K512),
             "malformed", validation={"algorithms": ["HS512"]})
    return f


# ------------------------------------------------------------- negative-header
def build_header():
    f = VFile("negative-header.json", "header JSON, alg, crit and typ")
    kh = k_hex(K256)
    p0 = b64u_enc(raw(P0))

    def tok_h(text):
        return sign_segments(b64u_enc(raw(text)), p0, K256, "HS256")

    json_cases = [
        ("not-json", "alg=HS256", "text that is not JSON"),
        ("array", '[{"alg":"HS256"}]', "a JSON array holding the header object"),
        ("string", '"HS256"', "a JSON string"),
        ("number", "256", "a JSON number"),
        ("trailing-garbage", '{"alg":"HS256"}x', "a JSON object followed by 'x'"),
        ("two-objects", '{"alg":"HS256"}{"alg":"HS256"}', "two JSON objects in a row"),
        ("trailing-comma", '{"alg":"HS256",}', "an object with a trailing comma"),
        ("single-quotes", "{'alg':'HS256'}", "single-quoted names and strings"),
        ("nan", '{"alg":"HS256","x":NaN}', "a NaN literal (not JSON, RFC 8259 section 6)"),
        ("control-char", '{"alg":"HS256","x":"a\tb"}',
         "a raw tab inside a string (RFC 8259 section 7: control characters must be escaped)"),
    ]
    for name, text, what in json_cases:
        f.verify(f"hdr-{name}", f"The header is {what}: not a JSON object (RFC 7515 section "
                 "5.2, RFC 7519 section 7.2 step 4): malformed.", tok_h(text), kh, "malformed")
    f.verify("hdr-utf16", "The header is {\"alg\":\"HS256\"} encoded as UTF-16LE, not UTF-8 "
             "(RFC 7515 section 5.2 / RFC 7519 section 7.2 step 4): malformed.",
             tok_h('{"alg":"HS256"}'.encode("utf-16-le")), kh, "malformed")
    for name, bad, what in [("invalid-utf8", b"\xff", "a 0xFF byte"),
                            ("surrogate-utf8", b"\xed\xa0\x80",
                             "the UTF-8 form of the surrogate U+D800")]:
        f.verify(f"hdr-{name}", f"The header's extra string member holds {what}, which is "
                 "not valid UTF-8 (RFC 3629; RFC 7519 section 7.2 step 4): malformed.",
                 tok_h(b'{"alg":"HS256","x":"' + bad + b'"}'), kh, "malformed")
    for depth in (200, 5000):
        f.verify(f"hdr-deep-nesting-{depth}", f"An extra header member opens {depth} nested "
                 "arrays and never closes them: not JSON, malformed whatever the parser's depth "
                 "limit (it must fail cleanly, not overflow its stack).",
                 tok_h('{"alg":"HS256","x":' + "[" * depth), kh, "malformed")

    # duplicates (RFC 7515 section 4: names MUST be unique; the contract says reject)
    dups = [
        ("dup-alg", '{"alg":"HS256","alg":"HS256"}', "'alg' twice, same value"),
        ("dup-alg-none-first", '{"alg":"none","alg":"HS256"}',
         "'alg' twice, 'none' then 'HS256' (a last-wins parser would see HS256)"),
        ("dup-alg-escaped", '{"alg":"HS256","\\u0061lg":"HS256"}',
         "'alg' and '\\u0061lg', the same name after unescaping"),
        ("dup-typ", '{"alg":"HS256","typ":"JWT","typ":"JWT"}', "'typ' twice"),
    ]
    for name, text, what in dups:
        f.verify(f"hdr-{name}", f"The header holds {what}. Duplicate member names (compared "
                 "after unescaping) are malformed (RFC 7515 section 4).", tok_h(text), kh,
                 "malformed")

    # alg presence and type (RFC 7515 section 4.1.1)
    for name, text, what in [("alg-missing", '{"typ":"JWT"}', "no 'alg'"),
                             ("alg-number", '{"alg":256}', "'alg' as a number"),
                             ("alg-null", '{"alg":null}', "'alg' null"),
                             ("alg-array", '{"alg":["HS256"]}', "'alg' as an array")]:
        f.verify(f"hdr-{name}", f"The header has {what}; alg must be a string (RFC 7515 "
                 "section 4.1.1): malformed.", tok_h(text), kh, "malformed")

    # crit well-formedness (RFC 7515 section 4.1.11)
    ext = '"http://example.invalid/ext":true'
    crit_bad = [
        ("crit-string", '{"alg":"HS256","crit":"http://example.invalid/ext",' + ext + "}",
         "a string, not an array"),
        ("crit-null", '{"alg":"HS256","crit":null}', "null, not an array"),
        ("crit-empty", '{"alg":"HS256","crit":[]}', "an empty array"),
        ("crit-number", '{"alg":"HS256","crit":[1]}', "an array holding a number"),
        ("crit-number-beside-name",
         '{"alg":"HS256","crit":["http://example.invalid/ext",1],' + ext + "}",
         "an array holding a number beside a well-formed name"),
        ("crit-names-alg", '{"alg":"HS256","crit":["alg"]}',
         "[\"alg\"], a parameter registered by RFC 7515"),
        ("crit-names-kid", '{"alg":"HS256","kid":"k1","crit":["kid"]}',
         "[\"kid\"], a registered parameter (present)"),
        ("crit-absent-param", '{"alg":"HS256","crit":["http://example.invalid/ext"]}',
         "a name that is not in the header"),
    ]
    for name, text, what in crit_bad:
        f.verify(f"hdr-{name}", f"'crit' is {what}. RFC 7515 section 4.1.11: crit is a "
                 "non-empty array of names of extension parameters present in the header, "
                 "never of registered ones: malformed.", tok_h(text), kh, "malformed")

    # --- stage 3: algorithm (RFC 7518 section 3.6, RFC 8725 section 3.1)
    pn = b64u_enc(raw(P0))
    hn = b64u_enc(raw({"alg": "none"}))
    f.verify("hdr-alg-none", "alg 'none' with an empty third segment (valid base64url of zero "
             "bytes, so stage 2 passes): an Unsecured JWS is never accepted (RFC 7518 section "
             "3.6, RFC 8725 section 3.1): algorithm, not malformed.", f"{hn}.{pn}.", kh,
             "algorithm")
    f.verify("hdr-alg-none-listed", "alg 'none' with empty signature while "
             "validation.algorithms lists 'none' beside HS256: none is never accepted: "
             "algorithm.", f"{hn}.{pn}.", kh, "algorithm",
             validation={"algorithms": ["HS256", "none"]})
    t = sign_segments(hn, pn, K256, "HS256")
    f.verify("hdr-alg-none-with-mac", "alg 'none' but a correct HMAC-SHA-256 signature "
             "present: the header's alg decides, and none is refused: algorithm.", t, kh,
             "algorithm")
    t = sign_segments(b64u_enc(b'{"alg":"NONE"}'), pn, K256, "HS256")
    f.verify("hdr-alg-none-upper", "alg 'NONE' (signed with HS256): not an accepted "
             "algorithm (names are case-sensitive, RFC 7515 section 4.1.1): algorithm.", t, kh,
             "algorithm")
    f.verify("hdr-alg-hs512-not-accepted", "A correct HS512 token (64-byte key) while only "
             "HS256 is accepted (the default): algorithm.", token({"alg": "HS512"}, P0, K512),
             k_hex(K512), "algorithm")
    f.verify("hdr-alg-hs256-not-listed", "A correct HS256 token while validation.algorithms "
             "is [\"HS384\"] (the list replaces the default): algorithm.",
             token(H256, P0, K512), k_hex(K512), "algorithm",
             validation={"algorithms": ["HS384"]})
    rs = b64u_enc(raw({"alg": "RS256", "typ": "JWT"}))
    f.verify("hdr-alg-rs256", "alg RS256 (an RSA algorithm; the signature segment is 256 "
             "filler bytes): not an accepted algorithm: algorithm.",
             f"{rs}.{pn}.{b64u_enc(derive_key('rsa-filler', 256))}", kh, "algorithm")
    for name, alg, what in [("lowercase", "hs256", "'hs256' (alg values are case-sensitive, "
                             "RFC 7515 section 4.1.1)"),
                            ("empty", "", "the empty string")]:
        t = sign_segments(b64u_enc(raw({"alg": alg})), pn, K256, "HS256")
        f.verify(f"hdr-alg-{name}", f"alg {what}, signed with HMAC-SHA-256: a string, so "
                 "well-formed, but not an accepted algorithm: algorithm.", t, kh, "algorithm")

    # --- stage 3: unsupported_critical (RFC 7515 section 4.1.11; RFC 7797)
    f.verify("hdr-crit-exp", "crit [\"exp\"] with \"exp\" present in the header, the example "
             "of RFC 7515 section 4.1.11: well-formed, but this implementation understands no "
             "extension: unsupported_critical.",
             token({"alg": "HS256", "crit": ["exp"], "exp": NOW + 3600}, P0, K256), kh,
             "unsupported_critical")
    f.verify("hdr-crit-b64-false", "crit [\"b64\"] with \"b64\": false (RFC 7797 unencoded "
             "payload; the token is signed the ordinary way): extensions are not "
             "implemented: unsupported_critical.",
             token({"alg": "HS256", "b64": False, "crit": ["b64"]}, P0, K256), kh,
             "unsupported_critical")
    f.verify("hdr-crit-private-ext", "crit naming a private extension present in the header: "
             "unsupported_critical (RFC 7515 section 4.1.11).",
             token({"alg": "HS256", "crit": ["http://example.invalid/ext"],
                    "http://example.invalid/ext": True}, P0, K256), kh, "unsupported_critical")

    # --- stage 3: typ (RFC 7515 section 4.1.9; RFC 8725 section 3.11)
    def typ_tok(typ):
        h = {"alg": "HS256"} if typ is None else {"alg": "HS256", "typ": typ}
        return token(h, P0, K256), h

    cases = [
        ("typ-missing", None, "JWT", "invalid_type", "the header has no typ"),
        ("typ-at-jwt", "at+jwt", "JWT", "invalid_type", "typ 'at+jwt' (RFC 9068)"),
        ("typ-application-at-jwt", "application/at+jwt", "JWT", "invalid_type",
         "typ 'application/at+jwt' (prefix ignored, 'at+jwt' still differs)"),
        ("typ-trailing-space", "JWT ", "JWT", "invalid_type", "typ 'JWT ' (trailing space)"),
        ("typ-lowercase", "jwt", "JWT", "valid", "typ 'jwt' (compared case-insensitively)"),
        ("typ-application-prefix", "application/JWT", "JWT", "valid",
         "typ 'application/JWT' (the application/ prefix is ignored)"),
        ("typ-required-lowercase", "JWT", "jwt", "valid",
         "typ 'JWT' while the verifier names 'jwt'"),
    ]
    for name, typ, want, exp, what in cases:
        t, h = typ_tok(typ)
        f.verify(f"hdr-{name}", f"validation.typ '{want}', {what} (RFC 7515 section 4.1.9): "
                 f"{exp}.", t, kh, exp, validation={"typ": want},
                 header=h if exp == "valid" else None)
    t, h = typ_tok("at+jwt")
    f.verify("hdr-typ-not-required", "typ 'at+jwt' while the verifier names no typ: typ is "
             "not checked: valid.", t, kh, header=h)
    return f


# --------------------------------------------------------------- negative-keys
def build_keys():
    f = VFile("negative-keys.json", "key selection (kid, JWK Set, JWK alg) and key strength")
    j1 = jwk(K_SET1, kid="k1")
    j2 = jwk(K_SET2, kid="k2")

    def kid_tok(kid, key, **more):
        h = {"alg": "HS256"}
        if kid is not ...:
            h["kid"] = kid
        h.update(more)
        return token(h, P0, key), h

    # --- unknown_key (RFC 7515 section 4.1.4, RFC 7517 section 5)
    t, _ = kid_tok(..., K_SET1)
    f.verify("key-jwks-two-keys-no-kid", "JWK Set of two keys (kid k1, k2), token without kid "
             "(signed with k1): no way to choose: unknown_key.", t, k_jwks(j1, j2),
             "unknown_key")
    t, _ = kid_tok("k3", K_SET1)
    f.verify("key-jwks-kid-not-in-set", "Token kid 'k3', set holds k1 and k2: unknown_key.",
             t, k_jwks(j1, j2), "unknown_key")
    n1 = jwk(K_SET1, kid="1")
    n2 = jwk(K_SET2, kid="2")
    t, _ = kid_tok(1, K_SET1)
    f.verify("key-jwks-kid-number", "Token kid is the number 1, the set holds kids \"1\" and "
             "\"2\": a kid that is not a string selects nothing: unknown_key.", t,
             k_jwks(n1, n2), "unknown_key")
    t, _ = kid_tok(None, K_SET1)
    f.verify("key-jwks-kid-null", "Token kid is null, set of one key: a kid that is not a "
             "string is unknown_key (it is not the same as an absent kid).", t, k_jwks(j1),
             "unknown_key")
    t, _ = kid_tok("K1", K_SET1)
    f.verify("key-jwks-kid-case", "Token kid 'K1', the set holds 'k1': kids compare "
             "case-sensitively: unknown_key.", t, k_jwks(j1, j2), "unknown_key")
    t, _ = kid_tok("k2", K_SET1)
    f.verify("key-jwks-one-key-other-kid", "Set of one key (kid k1), token kid 'k2' (signed "
             "with k1's key): a kid absent from the set is unknown_key even when the set "
             "holds one key.", t, k_jwks(j1), "unknown_key")
    t, _ = kid_tok("k1", K_SET1)
    f.verify("key-jwks-one-key-without-kid", "Set of one key that has no kid, token kid 'k1' "
             "(signed with that key): the kid is absent from the set: unknown_key.", t,
             k_jwks(jwk(K_SET1)), "unknown_key")
    t, _ = kid_tok(..., K_SET1)
    f.verify("key-jwks-empty", "An empty JWK Set and a token without kid: unknown_key.", t,
             k_jwks(), "unknown_key")
    # valid selections
    t, h = kid_tok(..., K_SET1)
    f.verify("key-jwks-one-key-no-kid-valid", "Set of one key (kid k1), token without kid: "
             "the set's only key is used: valid.", t, k_jwks(j1), header=h, claims=P0)
    t, h = kid_tok("k2", K_SET2)
    f.verify("key-jwks-kid-selects-second", "Token kid 'k2' signed with k2's key; set holds "
             "k1 then k2: kid selects k2: valid.", t, k_jwks(j1, j2), header=h)
    t, h = kid_tok("other", K256)
    f.verify("key-single-jwk-kid-not-consulted", "A single JWK with kid 'mine' and a token "
             "with kid 'other': with a single key the token's kid is not consulted: valid.",
             t, k_jwk(K256, kid="mine"), header=h)
    t, h = kid_tok(7, K256)
    f.verify("key-single-hex-kid-number", "key_hex and a token whose kid is the number 7: "
             "with a single key the kid is not consulted: valid.", t, k_hex(K256), header=h)

    # --- JWK alg (RFC 7517 section 4.4)
    t = token({"alg": "HS256"}, P0, K512)
    f.verify("key-jwk-alg-mismatch", "The JWK carries alg HS384, the token is HS256 (both "
             "accepted, 64-byte key): a JWK with alg is used only for that algorithm: "
             "algorithm.", t, k_jwk(K512, alg="HS384"), "algorithm",
             validation={"algorithms": ["HS256", "HS384"]})
    t = token({"alg": "HS256", "kid": "k512"}, P0, K512)
    f.verify("key-jwks-alg-mismatch", "The set's key chosen by kid carries alg HS512, the "
             "token is HS256 (both accepted): algorithm.", t,
             k_jwks(jwk(K512, kid="k512", alg="HS512"), j1), "algorithm",
             validation={"algorithms": ["HS256", "HS512"]})
    t = token({"alg": "HS384"}, P0, K512)
    f.verify("key-jwk-alg-match", "The JWK carries alg HS384 and the token is HS384: valid.",
             t, k_jwk(K512, alg="HS384"), validation={"algorithms": ["HS256", "HS384"]})

    # --- weak_key (RFC 7518 section 3.2: key at least as long as the hash output)
    for alg, n, weak in [("HS256", 16, True), ("HS256", 31, True), ("HS256", 32, False),
                         ("HS384", 32, True), ("HS384", 47, True), ("HS384", 48, False),
                         ("HS512", 48, True), ("HS512", 63, True), ("HS512", 64, False)]:
        key = derive_key(f"len-{n}", n)
        t = token({"alg": alg}, P0, key)
        val = None if alg == "HS256" else {"algorithms": [alg]}
        if weak:
            f.verify(f"key-weak-{alg.lower()}-{n}", f"A {n}-byte key for {alg}, whose hash "
                     f"output is {DIGEST[alg]} bytes (RFC 7518 section 3.2); signature "
                     "correct: weak_key.", t, k_hex(key), "weak_key", validation=val)
        else:
            f.verify(f"key-full-{alg.lower()}-{n}", f"A {n}-byte key for {alg}, exactly the "
                     "hash output length: not weak: valid.", t, k_hex(key), validation=val)
    for alg, n in [("HS256", 16), ("HS384", 32), ("HS512", 48)]:
        key = derive_key(f"len-{n}", n)
        val = {"allow_weak_keys": True}
        if alg != "HS256":
            val["algorithms"] = [alg]
        f.verify(f"key-weak-{alg.lower()}-{n}-allowed", f"The {n}-byte {alg} key with "
                 "allow_weak_keys true: valid.", token({"alg": alg}, P0, key), k_hex(key),
                 validation=val)
    t = token(H256, P0, b"")
    f.verify("key-empty", "The empty key (key_hex \"\"), correct HS256 signature under it: "
             "weak_key.", t, k_hex(b""), "weak_key")
    f.verify("key-empty-allowed", "The empty key with allow_weak_keys true (which accepts any "
             "length, the empty key included): valid.", t, k_hex(b""),
             validation={"allow_weak_keys": True})
    s31 = "a" * 16 + "-utf8-secret-31"
    assert len(s31.encode()) == 31
    f.verify("key-weak-utf8-31", f"key_utf8 '{s31}' is 31 bytes, short of 32 for HS256: "
             "weak_key.", token(H256, P0, s31.encode()), k_utf8(s31), "weak_key")
    cyr = "\u043a\u043b\u044e\u0447" * 4  # 16 characters, 32 bytes in UTF-8
    assert len(cyr) == 16 and len(cyr.encode()) == 32
    f.verify("key-utf8-multibyte-not-weak", "key_utf8 of 16 Cyrillic characters, 32 bytes in "
             "UTF-8: key length is counted in bytes, so it is not weak for HS256: valid.",
             token(H256, P0, cyr.encode()), k_utf8(cyr))
    k16 = derive_key("len-16", 16)
    t = token({"alg": "HS256", "kid": "short"}, P0, k16)
    f.verify("key-weak-jwks", "A 16-byte key chosen from a JWK Set by kid: weak_key.", t,
             k_jwks(jwk(k16, kid="short"), j1), "weak_key")
    return f


# ---------------------------------------------------------- negative-signature
def build_signature():
    f = VFile("negative-signature.json", "signature check (stage 5)")
    kh = k_hex(K256)
    h0, p0, s0 = parts(T0)
    sig = strict_decode(s0)

    def with_sig(b):
        return f"{h0}.{p0}.{b64u_enc(b)}"

    v = ALPHABET.index(s0[-1])
    flipped = s0[:-1] + ALPHABET[v ^ 4]
    assert strict_decode(flipped) is not None and strict_decode(flipped) != sig
    f.verify("sig-flip-last-char", "The last character of a correct HS256 signature changed "
             "so that its unused bits stay zero (still strict base64url, the last byte "
             "differs): bad_signature.", f"{h0}.{p0}.{flipped}", kh, "bad_signature")
    f.verify("sig-flip-first-bit", "The first bit of a correct signature flipped: "
             "bad_signature.", with_sig(bytes([sig[0] ^ 0x80]) + sig[1:]), kh, "bad_signature")
    f.verify("sig-truncated-16", "The first 16 bytes of the correct MAC: the JWS signature is "
             "the whole HMAC output (RFC 7518 section 3.2), a prefix must not verify: "
             "bad_signature.", with_sig(sig[:16]), kh, "bad_signature")
    f.verify("sig-truncated-31", "The correct MAC without its last byte (31 bytes, 42 "
             "characters, strict base64url): bad_signature.", with_sig(sig[:31]), kh,
             "bad_signature")
    f.verify("sig-extended-33", "The correct MAC followed by a zero byte (33 bytes): "
             "bad_signature.", with_sig(sig + b"\0"), kh, "bad_signature")
    f.verify("sig-empty-hs256", "An empty signature segment with alg HS256 (zero bytes, "
             "valid base64url): bad_signature, not malformed.", f"{h0}.{p0}.", kh,
             "bad_signature")
    f.verify("sig-zeros", "32 zero bytes as the signature: bad_signature.",
             with_sig(bytes(32)), kh, "bad_signature")
    f.verify("sig-other-key", "Signed with another 32-byte key: bad_signature.",
             token(H256, P0, K_OTHER), kh, "bad_signature")
    t = token({"alg": "HS384"}, P0, K512, alg="HS256")
    f.verify("sig-hs256-mac-under-hs384", "The header says HS384 (accepted) but the signature "
             "is the HMAC-SHA-256 of the same input (64-byte key): the MAC follows the "
             "header's alg (RFC 7515 section 5.2): bad_signature.", t, k_hex(K512),
             "bad_signature", validation={"algorithms": ["HS256", "HS384"]})
    t = token({"alg": "HS256"}, P0, K512, alg="HS384")
    f.verify("sig-hs384-mac-under-hs256", "The header says HS256 but the signature is the "
             "HMAC-SHA-384 (48 bytes) of the same input: bad_signature.", t, k_hex(K512),
             "bad_signature", validation={"algorithms": ["HS256", "HS384"]})
    # signing input must be the received segments, not a re-encoding
    spaced = b64u_enc(b'{"alg": "HS256", "typ": "JWT"}')
    t = f"{spaced}.{p0}.{s0}"
    f.verify("sig-over-reserialized-header", "The header segment encodes '{\"alg\": \"HS256\", "
             "\"typ\": \"JWT\"}' (with spaces) but the signature was made over the compact "
             "form: the MAC covers the received ASCII segments exactly (RFC 7515 section 5.2), "
             "never a re-serialization: bad_signature.", t, kh, "bad_signature")
    m = checked_mac("HS256", K256, raw(H256) + b"." + raw(P0))
    f.verify("sig-over-raw-json", "Signature computed over the raw header and payload JSON "
             "joined by '.', instead of over their base64url segments: bad_signature.",
             with_sig(m), kh, "bad_signature")
    t = token(H256, dict(P0, sub="mallory"), K256)
    f.verify("sig-payload-swapped", "The payload segment replaced by another one "
             "(sub mallory) while keeping the original signature: bad_signature.",
             f"{h0}.{parts(t)[1]}.{s0}", kh, "bad_signature")
    t = token({"alg": "HS256", "kid": "k1"}, P0, K_SET2)
    f.verify("sig-jwks-kid-selects-other-key", "kid 'k1' selects k1 from the set, but the "
             "token was signed with k2's key: bad_signature.", t,
             k_jwks(jwk(K_SET1, kid="k1"), jwk(K_SET2, kid="k2")), "bad_signature")
    t512 = token({"alg": "HS512"}, P0, K512)
    h5, p5, s5 = parts(t512)
    b5 = bytearray(strict_decode(s5))
    b5[40] ^= 0x01
    f.verify("sig-hs512-bit-flip", "A correct HS512 signature with one bit of byte 40 "
             "flipped: bad_signature.", f"{h5}.{p5}.{b64u_enc(bytes(b5))}", k_jwk(K512),
             "bad_signature", validation={"algorithms": ["HS512"]})
    f.verify("sig-utf8-secret-vs-hex", "Signed with the UTF-8 bytes of a secret, verified "
             "with key_hex of other bytes of the same length (not weak): bad_signature.",
             token(H256, P0, SECRET.encode()),
             k_hex(hashlib.sha384(SECRET.encode()).digest()[:len(SECRET.encode())]
                   .ljust(len(SECRET.encode()), b"k")), "bad_signature")
    return f


# ------------------------------------------------------------- negative-claims
def build_claims():
    f = VFile("negative-claims.json", "payload and claims (stage 6, signature correct)")
    kh = k_hex(K256)
    ku = k_utf8(SECRET)
    ksec = SECRET.encode()

    def tp(payload, key=K256):
        return token(H256, payload, key)

    # --- payload not a JSON object (RFC 7519 section 7.2 step 10)
    bad_payloads = [
        ("empty", "", "empty (zero bytes)"),
        ("array", "[]", "an empty JSON array"),
        ("string", '"alice"', "a JSON string"),
        ("trailing-garbage", '{"sub":"alice"}x', "a JSON object followed by 'x'"),
        ("nan", '{"sub":"alice","score":NaN}', "an object holding NaN (not JSON)"),
    ]
    for name, text, what in bad_payloads:
        f.verify(f"claims-payload-{name}", f"Correctly signed token whose payload is {what}: "
                 "the claims set must be a JSON object (RFC 7519 section 7.2 step 10): "
                 "malformed at stage 6.", tp(text), kh, "malformed")
    f.verify("claims-payload-invalid-utf8", "Payload {\"sub\":\"<0xFF>\"}: not UTF-8 "
             "(RFC 7519 section 7.2 step 10): malformed.", tp(b'{"sub":"\xff"}'), kh,
             "malformed")
    f.verify("claims-payload-surrogate-utf8", "Payload whose string holds the UTF-8 form of "
             "the surrogate U+D800 (ED A0 80), which is not valid UTF-8: malformed.",
             tp(b'{"sub":"\xed\xa0\x80"}'), kh, "malformed")
    dups = [
        ("dup-exp", '{"sub":"alice","exp":1700003600,"exp":1700003600}', "'exp' twice"),
        ("dup-exp-escaped", '{"sub":"alice","exp":1700003600,"\\u0065xp":1700003600}',
         "'exp' and '\\u0065xp' (the same name after unescaping)"),
        ("dup-custom", '{"sub":"alice","role":"user","role":"admin"}', "'role' twice"),
    ]
    for name, text, what in dups:
        f.verify(f"claims-{name}", f"Payload holds {what}: claim names must be unique "
                 "(RFC 7519 section 4): malformed.", tp(text), kh, "malformed")

    # --- types (RFC 7519 section 2 NumericDate; sections 4.1.4-4.1.6)
    for name, text, what in [
            ("exp-string", '{"sub":"alice","exp":"1700003600"}', "exp as a string"),
            ("exp-null", '{"sub":"alice","exp":null}', "exp null"),
            ("nbf-bool", '{"sub":"alice","nbf":true}', "nbf as a boolean"),
            ("iat-string", '{"sub":"alice","iat":"1699999940"}', "iat as a string")]:
        f.verify(f"claims-{name}", f"Payload has {what}; exp, nbf and iat must be JSON "
                 "numbers (RFC 7519 section 2, NumericDate): invalid_claim.",
                 tp(text, ksec), ku, "invalid_claim")

    # --- exp (RFC 7519 section 4.1.4): expired when now >= exp + leeway
    def exp_case(vid, exp_text, now, expect, what, leeway=None, key=kh, keyb=K256):
        t = tp('{"sub":"alice","exp":' + exp_text + "}", keyb)
        val = {"leeway": leeway} if leeway is not None else None
        f.verify(vid, f"exp {exp_text}, now {now}{'' if leeway is None else f', leeway {leeway}'}"
                 f": {what} (RFC 7519 section 4.1.4; expired when now >= exp + leeway): "
                 f"{expect}.", t, key, expect, now=now, validation=val)

    exp_case("claims-exp-now-plus-1", str(NOW + 1), NOW, "valid", "one second left")
    exp_case("claims-exp-equals-now", str(NOW), NOW, "expired", "exactly at exp")
    exp_case("claims-exp-fraction-valid", f"{NOW}.5", NOW, "valid",
             "half a second left (fractions are compared numerically)")
    exp_case("claims-exp-fraction-expired", f"{NOW - 1}.5", NOW, "expired",
             "half a second past")
    exp_case("claims-exp-huge", "1e300", NOW, "valid", "a very large value")
    exp_case("claims-exp-bigint", "99999999999999999999999", NOW, "valid",
             "an integer beyond 64 bits")
    exp_case("claims-exp-negative", "-1", NOW, "expired", "a negative value")
    exp_case("claims-exp-exponent-valid", "17e8", NOW - 1, "valid",
             "exponent notation (17e8 = 1700000000), one second before")
    exp_case("claims-exp-exponent-expired", "17e8", NOW, "expired",
             "exponent notation, at exp")
    exp_case("claims-exp-leeway-valid", str(NOW - 5), NOW, "valid", "5 s past exp, within "
             "leeway", leeway=10, key=ku, keyb=ksec)
    exp_case("claims-exp-leeway-boundary", str(NOW - 5), NOW, "expired",
             "5 s past exp with leeway 5", leeway=5, key=ku, keyb=ksec)
    t = tp('{"sub":"alice","\\u0065xp":' + str(NOW - 1) + "}")
    f.verify("claims-exp-escaped-name", "The claim name is written '\\u0065xp', which is "
             "'exp' after unescaping, and it is one second past: expired.", t, kh, "expired")

    # --- nbf (RFC 7519 section 4.1.5): not yet valid when now < nbf - leeway
    def nbf_case(vid, nbf_text, now, expect, what, leeway=None):
        t = tp('{"sub":"alice","nbf":' + nbf_text + "}")
        val = {"leeway": leeway} if leeway is not None else None
        f.verify(vid, f"nbf {nbf_text}, now {now}{'' if leeway is None else f', leeway {leeway}'}"
                 f": {what} (RFC 7519 section 4.1.5; not yet valid when now < nbf - leeway): "
                 f"{expect}.", t, kh, expect, now=now, validation=val)

    nbf_case("claims-nbf-future", str(NOW + 1), NOW, "not_yet_valid", "one second early")
    nbf_case("claims-nbf-equals-now", str(NOW), NOW, "valid", "exactly at nbf")
    nbf_case("claims-nbf-fraction", f"{NOW}.5", NOW, "not_yet_valid", "half a second early")
    nbf_case("claims-nbf-leeway-valid", str(NOW + 5), NOW, "valid", "5 s early, leeway 5",
             leeway=5)
    nbf_case("claims-nbf-leeway-short", str(NOW + 6), NOW, "not_yet_valid",
             "6 s early, leeway 5", leeway=5)
    # Found by fuzz/fuzz_targets/differential.rs: jsonwebtoken 12 refuses a
    # NumericDate below zero, which RFC 7519 section 2 does not exclude.
    nbf_case("claims-nbf-negative", "-1", NOW, "valid", "a negative value, long past")
    f.verify("claims-iat-future", "iat one hour in the future: iat is only type-checked "
             "(RFC 7519 section 4.1.6): valid.",
             tp({"sub": "alice", "iat": NOW + 3600}), kh, claims={"sub": "alice",
                                                               "iat": NOW + 3600})

    # --- required claims
    pj = {"sub": "alice", "exp": NOW + 3600}
    f.verify("claims-required-jti-missing", "validation.required [\"jti\"] and the token has "
             "no jti: missing_claim.", tp(pj), kh, "missing_claim",
             validation={"required": ["jti"]})
    f.verify("claims-required-exp-missing", "validation.required [\"exp\"] and the token has "
             "no exp: missing_claim.", tp({"sub": "alice"}), kh, "missing_claim",
             validation={"required": ["exp"]})
    pj2 = {"sub": "alice", "jti": "id-1", "exp": NOW + 3600}
    f.verify("claims-required-present", "validation.required [\"jti\",\"exp\"], both "
             "present: valid.", tp(pj2), kh, validation={"required": ["jti", "exp"]},
             claims=pj2)

    # --- iss (RFC 7519 section 4.1.1)
    iss = "https://issuer.example"

    def iss_case(vid, value, expect, what, want=iss):
        p = {"sub": "alice"}
        if value is not ...:
            p["iss"] = value
        f.verify(vid, f"validation.iss {json.dumps(want, ensure_ascii=False)}, token {what}: "
                 f"{expect} (iss must be a string exactly equal, RFC 7519 section 4.1.1).",
                 tp(p, ksec), ku, expect, validation={"iss": want},
                 claims=p if expect == "valid" else None)

    iss_case("claims-iss-match", iss, "valid", "carries the same iss")
    iss_case("claims-iss-missing", ..., "missing_claim", "carries no iss")
    iss_case("claims-iss-mismatch", "https://other.example", "invalid_issuer",
             "iss https://other.example")
    iss_case("claims-iss-case", "https://Issuer.example", "invalid_issuer",
             "iss differing only in case")
    iss_case("claims-iss-number", 123, "invalid_issuer", "iss the number 123", want="123")
    iss_case("claims-iss-array", [iss], "invalid_issuer", "iss an array holding the issuer")
    iss_case("claims-iss-unicode-nfd", "caf\u0065\u0301", "invalid_issuer",
             "iss 'cafe' + U+0301 (NFD) where the verifier names 'caf\u00e9' (NFC)",
             want="caf\u00e9")

    # --- sub (RFC 7519 section 4.1.2)
    def sub_case(vid, value, expect, what, want="alice"):
        p = {"iss": iss}
        if value is not ...:
            p["sub"] = value
        f.verify(vid, f"validation.sub {json.dumps(want)}, token {what}: {expect} (RFC 7519 "
                 "section 4.1.2).", tp(p), kh, expect, validation={"sub": want})

    sub_case("claims-sub-match", "alice", "valid", "sub 'alice'")
    sub_case("claims-sub-missing", ..., "missing_claim", "without sub")
    sub_case("claims-sub-mismatch", "bob", "invalid_subject", "sub 'bob'")
    sub_case("claims-sub-number", 42, "invalid_subject", "sub the number 42", want="42")
    # Found by fuzz/fuzz_targets/differential.rs: jsonwebtoken 12 fails to
    # parse a token whose unchecked sub is an array, which this format accepts.
    f.verify("claims-sub-array-unchecked", "sub is an array and the verifier names no "
             "subject: sub is not checked (RFC 7519 section 4.1.2 leaves its use to the "
             "application): valid.", tp({"sub": [], "iss": iss}), kh)

    # --- aud (RFC 7519 section 4.1.3)
    def aud_case(vid, value, want, expect, what):
        p = {"sub": "alice"}
        if value is not ...:
            p["aud"] = value
        val = {"aud": want} if want is not None else None
        w = f"validation.aud {json.dumps(want)}" if want is not None else "no validation.aud"
        f.verify(vid, f"{w}, token {what}: {expect} (RFC 7519 section 4.1.3).", tp(p), kh,
                 expect, validation=val)

    aud_case("claims-aud-string-match", "api", "api", "valid", "aud 'api'")
    aud_case("claims-aud-array-match", ["web", "api"], "api", "valid",
             "aud [\"web\",\"api\"]")
    aud_case("claims-aud-array-no-match", ["web", "mobile"], "api", "invalid_audience",
             "aud [\"web\",\"mobile\"]")
    aud_case("claims-aud-case", "API", "api", "invalid_audience", "aud 'API' (case differs)")
    aud_case("claims-aud-array-number-beside", ["api", 7], "api", "invalid_audience",
             "aud [\"api\",7]: an array holding a non-string, even beside the match")
    aud_case("claims-aud-nested", [["api"]], "api", "invalid_audience",
             "aud [[\"api\"]] (a nested array)")
    aud_case("claims-aud-number", 123, "123", "invalid_audience", "aud the number 123")
    aud_case("claims-aud-empty-array", [], "api", "invalid_audience", "aud []")
    aud_case("claims-aud-missing", ..., "api", "missing_claim", "without aud")
    aud_case("claims-aud-unrequested-string", "api", None, "invalid_audience",
             "aud 'api' (a verifier that names no audience does not identify itself with "
             "any value in aud, so it must reject)")
    return f


# --------------------------------------------------------- negative-stage-order
def build_order():
    f = VFile("negative-stage-order.json", "stage order (two rules of different stages broken)")
    kh = k_hex(K256)
    h0, p0, s0 = parts(T0)
    pn = b64u_enc(raw(P0))
    hn = b64u_enc(raw({"alg": "none"}))

    n = len(f"{h0}.{p0}")
    f.verify("order-too-large-before-malformed", "Two segments (malformed, stage 2) and "
             f"longer than max_token_bytes {n - 1} (stage 1): too_large.", f"{h0}.{p0}", kh,
             "too_large", validation={"max_token_bytes": n - 1}, stages=2)
    t = h0 + "." + p0 + "." + "\u00e9" * 20
    chars, size = len(t), len(t.encode())
    f.verify("order-too-large-counts-bytes", f"The signature segment is 20 'é' characters "
             f"(malformed): the token has {chars} characters but {size} bytes, and "
             f"max_token_bytes is {chars}. The limit counts bytes, so too_large (stage 1) "
             "comes before malformed.", t, kh, "too_large",
             validation={"max_token_bytes": chars}, stages=2)
    t = f"{hn}.{pn}."
    f.verify("order-too-large-before-algorithm", f"alg none (stage 3) and longer than "
             f"max_token_bytes {len(t) - 1}: too_large.", t, kh, "too_large",
             validation={"max_token_bytes": len(t) - 1}, stages=2)
    pp = b64u_enc(raw(payload_of_len(1)))
    assert len(pp) % 4 == 2
    f.verify("order-malformed-before-algorithm", "alg none (stage 3) and a payload segment "
             "with '==' padding (stage 2): malformed.", f"{hn}.{pp}==.", kh, "malformed",
             stages=2)
    t = token({"alg": "HS256"}, P0, K_OTHER)
    h, p, s = parts(t)
    f.verify("order-malformed-before-bad-signature", "A wrong signature (another key, stage "
             "5) with '=' padding appended (stage 2): malformed.", f"{h}.{p}.{s}=", kh,
             "malformed", stages=2)
    f.verify("order-malformed-header-before-weak-key", "A header without alg (stage 2) and a "
             "16-byte key (stage 4): malformed.",
             sign_segments(b64u_enc(b'{"typ":"JWT"}'), pn, derive_key("len-16", 16), "HS256"),
             k_hex(derive_key("len-16", 16)), "malformed", stages=2,
             oracle=lambda: [(4, "weak_key", "16-byte key (not reached by the model)")])
    t = token({"alg": "HS512"}, P0, K_OTHER + K_OTHER)
    f.verify("order-algorithm-before-bad-signature", "alg HS512 not accepted (stage 3) and "
             "signed with another key (stage 5): algorithm.", t, k_hex(K512), "algorithm",
             stages=2)
    k32 = K256
    f.verify("order-algorithm-before-weak-key", "alg HS512 not accepted (stage 3), key of 32 "
             "bytes, weak for HS512 (stage 4): algorithm.", token({"alg": "HS512"}, P0, k32),
             k_hex(k32), "algorithm", stages=2)
    t = token({"alg": "HS256", "crit": ["exp"], "exp": NOW + 3600}, P0, K_OTHER)
    f.verify("order-critical-before-bad-signature", "crit [\"exp\"] (stage 3) and signed with "
             "another key (stage 5): unsupported_critical.", t, kh, "unsupported_critical",
             stages=2)
    t = token({"alg": "HS256", "typ": "at+jwt"}, P0, K_OTHER)
    f.verify("order-invalid-type-before-bad-signature", "typ 'at+jwt' where 'JWT' is required "
             "(stage 3) and signed with another key (stage 5): invalid_type.", t, kh,
             "invalid_type", validation={"typ": "JWT"}, stages=2)
    j1 = jwk(K_SET1, kid="k1")
    t = token({"alg": "HS256", "typ": "at+jwt", "kid": "zz"}, P0, K_SET1)
    f.verify("order-invalid-type-before-unknown-key", "typ 'at+jwt' where 'JWT' is required "
             "(stage 3) and kid 'zz' absent from the set (stage 4): invalid_type.", t,
             k_jwks(j1), "invalid_type", validation={"typ": "JWT"}, stages=2)
    t = token({"alg": "HS256", "kid": "zz"}, P0, K_OTHER)

    def not_any_key(tok=t):
        h, p, s = parts(tok)
        for k in (K_SET1,):
            assert checked_mac("HS256", k, f"{h}.{p}".encode()) != strict_decode(s)
        return [(5, "bad_signature", "MAC matches no key of the set (checked by hand)")]

    f.verify("order-unknown-key-before-bad-signature", "kid 'zz' absent from the set (stage 4) "
             "and signed with a key that is not in the set (stage 5): unknown_key.", t,
             k_jwks(j1), "unknown_key", stages=2, oracle=not_any_key)
    k16 = derive_key("len-16", 16)
    f.verify("order-weak-key-before-bad-signature", "A 16-byte key (stage 4) and a signature "
             "made with another key (stage 5): weak_key.", token(H256, P0, K_OTHER),
             k_hex(k16), "weak_key", stages=2)
    t = token(H256, {"sub": "alice", "exp": NOW - 10}, K_OTHER)
    f.verify("order-bad-signature-before-expired", "Expired 10 s ago (stage 6) and signed with "
             "another key (stage 5): bad_signature.", t, kh, "bad_signature", stages=2)
    t = token(H256, "not json at all", K_OTHER)
    f.verify("order-bad-signature-before-payload-parse", "A payload that is not JSON (stage 6) "
             "and a wrong signature (stage 5): the payload is not parsed before the signature "
             "check: bad_signature.", t, kh, "bad_signature", stages=2)
    t = token(H256, '{"exp":1700003600,"exp":1700003600}', K_OTHER)
    f.verify("order-bad-signature-before-duplicate-claim", "Duplicate 'exp' claims (stage 6) "
             "and a wrong signature (stage 5): bad_signature.", t, kh, "bad_signature",
             stages=2)
    return f


# ---------------------------------------------------------- negative-base64url
def build_b64():
    f = VFile("negative-base64url.json", "base64url strictness (RFC 4648 section 5, no padding)")

    def good(vid, data, what):
        enc = b64u_enc(data)
        f.add({"id": vid, "kind": "base64url", "description": f"Valid: {what}.",
               "encoded": enc, "decoded_hex": data.hex(), "expect": "valid"})

    def bad(vid, enc, what):
        f.add({"id": vid, "kind": "base64url", "description": f"Malformed: {what}.",
               "encoded": enc, "expect": {"error": "malformed"}})

    good("b64-all-bytes", bytes(range(256)), "all 256 byte values 00..ff in order "
         "(342 characters, 2-character tail)")
    good("b64-all-alphabet", strict_decode(ALPHABET), "the 64 alphabet characters in order "
         "(48 bytes)")
    good("b64-ff", b"\xff", "one 0xff byte is '_w' (its 4 unused bits zero)")
    good("b64-ffff", b"\xff\xff", "two 0xff bytes are '__8'")
    good("b64-zero-3", b"\0\0\0", "three zero bytes are 'AAAA'")
    good("b64-tail-2-after-quantum", b"ABCA", "\"ABCA\": a full quantum then a 2-character tail")

    for ch, what in [("+", "'+' (standard alphabet)"), ("/", "'/' (standard alphabet)"),
                     ("=", "'=' in the middle"), (" ", "a space"), ("\t", "a tab"),
                     ("\n", "a line feed"), ("\r", "a carriage return"), (".", "a '.'"),
                     ("\u0000", "a NUL"), ("\u00e9", "U+00E9"),
                     ("\uff21", "U+FF21 FULLWIDTH LATIN CAPITAL LETTER A"),
                     ("\u00a0", "U+00A0 NO-BREAK SPACE")]:
        name = {"+": "plus", "/": "slash", "=": "equals", " ": "space", "\t": "tab",
                "\n": "lf", "\r": "cr", ".": "dot", "\u0000": "nul", "\u00e9": "e-acute",
                "\uff21": "fullwidth-a", "\u00a0": "nbsp"}[ch]
        bad(f"b64-char-{name}", "QUJD" + ch + "REVG", f"{what} between two quanta")
    bad("b64-equals-between-quanta", "QQ==QUI", "'=' padding followed by more data")
    bad("b64-padded-tail-3", "QUI=", "a 3-character tail with '=' padding")
    for n in (1, 5, 9):
        bad(f"b64-len-{n}", "QUJDREVGR"[:n], f"length {n} (4n+1: no byte string has it)")
    # trailing bits: 2-character tail has 4 unused bits, 3-character tail has 2
    for bit in (1, 8):
        enc = set_trailing_bit("QQ", bit)
        bad(f"b64-trailing-bits-2-{bit}", enc, f"'{enc}': a 2-character tail whose unused bit "
            f"{bit} is set; only 'QQ' encodes \"A\" (RFC 4648 section 3.5)")
    for bit in (1, 2):
        enc = set_trailing_bit("QUI", bit)
        bad(f"b64-trailing-bits-3-{bit}", enc, f"'{enc}': a 3-character tail whose unused bit "
            f"{bit} is set; only 'QUI' encodes \"AB\"")
    bad("b64-trailing-bits-after-quantum", set_trailing_bit("QUJDQQ", 4),
        "a full quantum then a 2-character tail with an unused bit set")
    return f


# -------------------------------------------------------------- negative-hmac
def build_hmac():
    f = VFile("negative-hmac.json", "HMAC primitive (RFC 2104 key handling, truncation)")

    def add(vid, alg, key, msg, tag, expect, what):
        f.add({"id": vid, "kind": "hmac", "description": what, "alg": alg,
               "key_hex": key.hex(), "msg_hex": msg.hex(), "mac_hex": tag.hex(),
               "expect": expect})

    msg = b"barejwt HMAC test message"
    long_msg = derive_key("long-message", 1000)
    for alg in HASHES:
        b = BLOCK[alg]
        a = alg.lower()
        for kname, key, what in [("key-empty", b"", "the empty key"),
                                 (f"key-{b}", derive_key(f"blk-{b}", b),
                                  f"a key of exactly the block size ({b} bytes), used as is"),
                                 (f"key-{b + 1}", derive_key(f"blk-{b + 1}", b + 1),
                                  f"a key one byte over the block size ({b + 1} bytes), "
                                  "hashed first (RFC 2104 section 2)"),
                                 ("key-300", derive_key("long-300", 300), "a 300-byte key")]:
            add(f"hmac-{a}-{kname}", alg, key, msg, checked_mac(alg, key, msg), "valid",
                f"HMAC-SHA-{alg[2:]} with {what}.")
        key = derive_key(f"msg-{a}", DIGEST[alg])
        add(f"hmac-{a}-msg-empty", alg, key, b"", checked_mac(alg, key, b""), "valid",
            f"HMAC-SHA-{alg[2:]} of the empty message.")
        add(f"hmac-{a}-msg-1000", alg, key, long_msg, checked_mac(alg, key, long_msg), "valid",
            f"HMAC-SHA-{alg[2:]} of a 1000-byte message (several {b}-byte blocks).")
        tag = bytearray(checked_mac(alg, key, msg))
        tag[len(tag) // 2] ^= 0x10
        add(f"hmac-{a}-bitflip", alg, key, msg, bytes(tag), "invalid",
            f"HMAC-SHA-{alg[2:]} tag with one bit flipped: must not match.")
        add(f"hmac-{a}-truncated-10", alg, key, msg, checked_mac(alg, key, msg)[:10], "valid",
            f"HMAC-SHA-{alg[2:]} tag truncated to its first 10 bytes, the shortest allowed "
            "(RFC 2104 section 5): compared with the first 10 bytes of the output.")
    # key handling mistakes
    key = derive_key("blk-65", 65)
    add("hmac-hs256-long-key-truncated-not-hashed", "HS256", key, msg,
        checked_mac("HS256", key[:64], msg), "invalid",
        "A 65-byte key, tag computed with the key cut to 64 bytes instead of hashed: "
        "must not match (RFC 2104 section 2: keys longer than the block are hashed).")
    key = derive_key("blk-64", 64)
    add("hmac-hs256-block-key-hashed", "HS256", key, msg,
        checked_mac("HS256", hashlib.sha256(key).digest(), msg), "invalid",
        "A 64-byte key (exactly the block size), tag computed as if it had been hashed: "
        "must not match (only keys longer than the block are hashed).")
    key = derive_key("blk-65", 65)
    add("hmac-hs256-long-key-equals-hash", "HS256", hashlib.sha256(key).digest(), msg,
        checked_mac("HS256", key, msg), "valid",
        "The key is SHA-256 of a 65-byte key, the tag is HMAC under the 65-byte key: "
        "equal, since a long key is replaced by its hash (RFC 2104 section 2).")
    key = derive_key("msg-hs256", 32)
    tag = bytearray(checked_mac("HS256", key, msg)[:10])
    tag[9] ^= 0x01
    add("hmac-hs256-truncated-10-bitflip", "HS256", key, msg, bytes(tag), "invalid",
        "A 10-byte truncated HMAC-SHA-256 tag with its last bit flipped: must not match.")
    return f


# ------------------------------------------------------------------ edge-sign
def build_sign():
    f = VFile("edge-sign.json", "signing exact bytes")

    def add(vid, alg, key, what, header_json=None, payload_json=None, hb=None, pb=None,
            weak=False):
        v = {"id": vid, "kind": "sign", "description": what, "alg": alg}
        v.update(key)
        if hb is None:
            v["header_json"] = header_json
            v["payload_json"] = payload_json
            h, p = b64u_enc(header_json.encode()), b64u_enc(payload_json.encode())
        else:
            v["header_b64u"] = hb
            v["payload_b64u"] = pb
            h, p = hb, pb
        kb = resolve_sign_key(v)
        if weak:
            v["expect"] = {"error": "weak_key"}
        else:
            v["expect_token"] = sign_segments(h, p, kb, alg)
        f.add(v)

    pl = '{"sub":"alice","iat":1700000000}'
    add("sign-hs256-json", "HS256", k_hex(K256), "HS256 over exact compact JSON, key_hex "
        "(32 bytes).", '{"alg":"HS256","typ":"JWT"}', pl)
    add("sign-hs384-json-jwk", "HS384", k_jwk(K384), "HS384 over exact JSON, key as a JWK "
        "(48 bytes).", '{"alg":"HS384"}', pl)
    add("sign-hs512-json-utf8", "HS512", k_utf8(SECRET + SECRET), "HS512 with a UTF-8 "
        f"secret of {len((SECRET + SECRET).encode())} bytes.", '{"alg":"HS512"}', pl)
    add("sign-hs256-whitespace", "HS256", k_hex(K256), "The header and payload texts hold "
        "spaces, a tab and CR LF: a signer encodes them exactly as given, never "
        "re-serializes.", '{ "alg" : "HS256" ,\r\n\t"typ":"JWT" }',
        '{\n  "sub": "alice",\n  "exp": 1700003600\n}\n')
    add("sign-hs256-unicode", "HS256", k_hex(K256), "The payload holds non-ASCII text "
        "(encoded as UTF-8) and a JSON escape kept as written.", '{"alg":"HS256"}',
        '{"name":"Zo\u00eb \u00c5ngstr\u00f6m \u2603","note":"\\u00e9"}')
    add("sign-hs256-empty-payload", "HS256", k_hex(K256), "An empty payload: the token's "
        "middle segment is empty (header..signature).", '{"alg":"HS256"}', "")
    for alg, key in [("HS256", K256), ("HS384", K384), ("HS512", K512)]:
        hb = b64u_enc(('{"alg":"%s", "kid":"b64u-%s"}' % (alg, alg.lower())).encode())
        pb = b64u_enc(b'{"sub":"alice", "n":[1,2,3]}')
        add(f"sign-{alg.lower()}-b64u", alg, k_hex(key), f"{alg} from already encoded "
            "segments (header_b64u / payload_b64u): the signer must use them as given.",
            hb=hb, pb=pb)
    k16 = derive_key("len-16", 16)
    add("sign-weak-hs256-16", "HS256", k_hex(k16), "A 16-byte key for HS256 (needs 32, RFC "
        "7518 section 3.2): signing is refused: weak_key.", '{"alg":"HS256"}', pl, weak=True)
    add("sign-weak-hs512-32", "HS512", k_hex(K256), "A 32-byte key for HS512 (needs 64): "
        "weak_key.", '{"alg":"HS512"}', pl, weak=True)
    add("sign-weak-empty", "HS256", k_hex(b""), "The empty key: weak_key.",
        '{"alg":"HS256"}', pl, weak=True)
    return f


# ----------------------------------------------------------------- edge-valid
def build_edge():
    f = VFile("edge-valid.json", "unusual but valid tokens")
    kh = k_hex(K256)
    pn = b64u_enc(raw(P0))

    def tok_h(text):
        return sign_segments(b64u_enc(raw(text)), pn, K256, "HS256")

    f.verify("edge-header-whitespace", "The header JSON has spaces, tabs and CR LF between "
             "tokens (allowed by RFC 8259 section 2, as in RFC 7515 Appendix A.1): valid.",
             tok_h('\r\n{ "alg" :\t"HS256" ,\r\n "typ" : "JWT" } \n'), kh, header=H256)
    f.verify("edge-header-escaped-name", "The header's only member name is written "
             "'\\u0061lg' ('alg' after unescaping): valid.",
             tok_h('{"\\u0061lg":"HS256"}'), kh, header={"alg": "HS256"})
    f.verify("edge-header-escaped-value", "alg written 'HS\\u0032\\u0035\\u0036' ('HS256' "
             "after unescaping): valid.", tok_h('{"alg":"HS\\u0032\\u0035\\u0036"}'), kh,
             header={"alg": "HS256"})
    hx = {"alg": "HS256", "x-ext": {"nested": [1, 2.5, {"deep": None}], "ok": True}}
    f.verify("edge-header-extra-members", "Unknown header parameters (not listed in crit) "
             "are ignored (RFC 7515 section 4): valid.", token(hx, P0, K256), kh, header=hx)
    # Found by fuzz/fuzz_targets/differential.rs: jsonwebtoken 12 refuses it.
    hb = {"alg": "HS256", "b64": False}
    f.verify("edge-header-b64-false-not-critical", "b64 false but not listed in crit: to a "
             "recipient that does not implement RFC 7797 it is an unknown parameter, ignored "
             "(RFC 7515 section 4), and the payload is base64url as usual: valid.",
             token(hb, P0, K256), kh, header=hb)
    hk = {"alg": "HS256", "kid": "cl\u00e9-\u2603"}
    f.verify("edge-header-non-ascii-kid", "A non-ASCII kid with a single key_hex key (the kid "
             "is not consulted): valid.", token(hk, P0, K256), kh, header=hk)
    pu = {"sub": "Zo\u00eb", "name": "\u00c5ngstr\u00f6m \u2603 \U0001F600", "iat": NOW}
    f.verify("edge-payload-unicode", "Claims holding non-ASCII text, including a character "
             "outside the BMP: valid, decoded as UTF-8.", token(H256, pu, K256), kh, claims=pu)
    t = token(H256, '{"sub":"\\u00e9\\ud83d\\ude00","n":"a\\"b\\\\c\\/d"}', K256)
    f.verify("edge-payload-escapes", "Claims written with JSON escapes: \\u00e9, a surrogate "
             "pair \\ud83d\\ude00, \\\", \\\\ and \\/: valid; the decoded claims are given.",
             t, kh, claims={"sub": "\u00e9\U0001F600", "n": 'a"b\\c/d'})
    f.verify("edge-payload-whitespace", "The payload JSON is surrounded by white space and "
             "line breaks: valid.",
             token(H256, '\r\n { "sub" : "alice" ,\n\t"exp" : 1700003600 }\n', K256), kh,
             claims={"sub": "alice", "exp": NOW + 3600})
    f.verify("edge-payload-empty-object", "The payload is '{}': a JSON object with no claims "
             "(none is required by default): valid.", token(H256, "{}", K256), kh, claims={})
    pn2 = {"sub": "alice", "admin": True, "scores": [1, -2, 3.25], "meta": {"k": None}}
    f.verify("edge-no-now-no-time-claims", "No 'now' and no time claims in the payload "
             "(now is only required when the payload has them): valid.",
             token(H256, pn2, K256), kh, now=None, claims=pn2)
    f.verify("edge-hs384-jwk", "An HS384 token verified with a 48-byte JWK: valid.",
             token({"alg": "HS384", "typ": "JWT"}, P0, K384), k_jwk(K384),
             validation={"algorithms": ["HS384"]}, claims=P0)
    t = token({"alg": "HS512", "kid": "hs512-key"}, P0, K512)
    f.verify("edge-hs512-jwks", "An HS512 token whose kid picks a 64-byte key from a set "
             "of two: valid.", t, k_jwks(jwk(K256, kid="hs256-key"),
                                          jwk(K512, kid="hs512-key")),
             validation={"algorithms": ["HS256", "HS384", "HS512"]})
    f.verify("edge-key-utf8", "A key_utf8 secret of 42 ASCII bytes: valid.",
             token(H256, P0, SECRET.encode()), k_utf8(SECRET))
    full = {"iss": "https://issuer.example", "sub": "alice", "aud": ["api", "web"],
            "exp": NOW + 60, "nbf": NOW - 60, "iat": NOW - 60, "jti": "abc-123"}
    f.verify("edge-all-checks", "Every check at once: iss, sub, aud (in an array), required "
             "jti, typ, exp and nbf within range: valid.",
             token(H256, full, K256), kh,
             validation={"iss": "https://issuer.example", "sub": "alice", "aud": "web",
                         "required": ["jti", "iat"], "typ": "JWT", "leeway": 0},
             header=H256, claims=full)
    return f


# ------------------------------------------------------------------------ main
BUILDERS = [build_structure, build_header, build_keys, build_signature, build_claims,
            build_order, build_b64, build_hmac, build_sign, build_edge]


def render(doc):
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def check_file_doc(name, doc, metas=None):
    assert doc.get("format") == 1 and isinstance(doc.get("vectors"), list), name
    ids = [v["id"] for v in doc["vectors"]]
    assert len(ids) == len(set(ids)), f"duplicate ids in {name}"
    for v in doc["vectors"]:
        check_vector(v, (metas or {}).get(v["id"], {}))


def readme_counts():
    """file -> count as written in vectors/README.md's table."""
    path = os.path.join(VECTORS_DIR, "README.md")
    out = {}
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            m = re.match(r"\|\s*`([^`]+\.json)`\s*\|\s*(\d+)\b", line)
            if m:
                out[m.group(1)] = int(m.group(2))
    return out


def main():
    if not __debug__:
        sys.exit("make_vectors.py relies on assert statements: run it without -O")
    check_only = "--check" in sys.argv[1:]
    problems = []
    built = []
    for b in BUILDERS:
        vf = b()
        doc = vf.doc()
        check_file_doc(vf.name, doc, vf.meta)
        built.append((vf.name, doc))
    names = [n for n, _ in built]
    assert len(names) == len(set(names))

    total = 0
    for name, doc in built:
        path = os.path.join(VECTORS_DIR, name)
        text = render(doc)
        total += len(doc["vectors"])
        if check_only:
            try:
                with open(path, encoding="utf-8") as fh:
                    same = fh.read() == text
            except FileNotFoundError:
                same = False
            status = "identical to the build" if same else "DIFFERS from the build"
            if not same:
                problems.append(f"{name} differs from what this script builds")
        else:
            os.makedirs(VECTORS_DIR, exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            status = "written"
        print(f"{name}: {len(doc['vectors'])} vectors, {status}")
    print(f"total: {total} vectors in {len(built)} files")

    # the copied reference files must agree with the same model
    for name in REFERENCE_FILES:
        path = os.path.join(VECTORS_DIR, name)
        try:
            with open(path, encoding="utf-8") as fh:
                doc = json.load(fh)
            check_file_doc(name, doc)
            print(f"{name}: {len(doc['vectors'])} reference vectors agree with the model")
        except FileNotFoundError:
            problems.append(f"{name} (reference copy) is missing")
        except AssertionError as e:
            problems.append(f"{name}: the model disagrees: {e}")

    if check_only:
        counts = readme_counts()
        if counts is None:
            problems.append("vectors/README.md is missing")
        else:
            everything = {n: len(d["vectors"]) for n, d in built}
            for name in REFERENCE_FILES:
                try:
                    with open(os.path.join(VECTORS_DIR, name), encoding="utf-8") as fh:
                        everything[name] = len(json.load(fh)["vectors"])
                except FileNotFoundError:
                    pass
            for name, n in everything.items():
                if counts.get(name) != n:
                    problems.append(f"vectors/README.md gives {counts.get(name)} vectors for "
                                    f"{name}, the file has {n}")
    for p in problems:
        print("error:", p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
