"""The harness protocol (vectors/HARNESS.md, version 1), shared by the
Python harnesses: the greeting, one response line per request line, the
key fields read into bytes, and a fake clock for libraries that read
datetime.now() (the protocol allows one where the language does)."""

import base64
import datetime as _dt
import json
import sys

# The validation fields of vectors/FORMAT.md. A harness lists those its
# library can apply; a vector that sets any other is answered unsupported.
ALL_VALIDATION = {"algorithms", "leeway", "iss", "aud", "sub", "required",
                  "typ", "allow_weak_keys", "max_token_bytes"}


class Unsupported(Exception):
    """The library has no way to express this vector."""


def b64url_decode(text):
    """Strict enough for our own inputs (JWK 'k' values from the vector files)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def secret(req):
    """The key of a single-key vector as bytes (key_utf8, key_hex, or a JWK's k)."""
    if "key_utf8" in req:
        return req["key_utf8"].encode()
    if "key_hex" in req:
        return bytes.fromhex(req["key_hex"])
    if "key" in req:
        return b64url_decode(req["key"]["k"])
    raise Unsupported("no single key")


def check_validation(req, supported):
    extra = set(req.get("validation", {})) - set(supported)
    if extra:
        raise Unsupported("cannot apply validation " + ", ".join(sorted(extra)))


def frozen_datetime(now):
    """A datetime class whose now() is `now` (seconds since the epoch)."""

    class Frozen(_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return _dt.datetime.fromtimestamp(now, tz or _dt.timezone.utc)

        @classmethod
        def utcnow(cls):
            return _dt.datetime.fromtimestamp(now, _dt.timezone.utc).replace(tzinfo=None)

    return Frozen


def claims_json(value):
    """JSON for the claims (or header) a library returned; a value that
    strict JSON cannot carry (NaN, which Python's json module reads, or a
    lone UTF-16 surrogate) is shown, not dropped."""
    try:
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
        return value
    except (ValueError, UnicodeEncodeError):
        return {"unrepresentable in JSON": repr(value)}


def serve(name, version, answer):
    """Greets, then answers each request line until stdin closes.
    `answer(request)` returns the response fields without `id`; raising
    Unsupported answers unsupported; any other exception is the library
    refusing, with code None unless `answer` mapped it."""
    out = sys.stdout
    out.write(json.dumps({"protocol": 1, "name": name, "version": version}) + "\n")
    out.flush()
    for line in sys.stdin:
        req = json.loads(line)
        try:
            resp = answer(req)
        except Unsupported as e:
            resp = {"result": "unsupported", "message": str(e)}
        resp["id"] = req.get("id")
        out.write(json.dumps(resp, allow_nan=False) + "\n")
        out.flush()
