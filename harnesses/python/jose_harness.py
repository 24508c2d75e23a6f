"""python-jose behind the harness protocol (vectors/HARNESS.md).

Verify through jose.jwt.decode with the vector's options; the clock
through a frozen datetime in jose.jwt; a JWK or a JWK Set handed to
python-jose as they are (it reads both itself). hmac through
jose.jwk.HMACKey, base64url through jose.utils. python-jose cannot sign
exact header bytes, has no minimum key length, typ option or size limit:
those vectors are unsupported where the vector sets the option. Errors
map to codes only where python-jose's exception or message names the rule."""

from importlib.metadata import version

import jose.jwk
import jose.jwt
import jose.utils
from jose.exceptions import ExpiredSignatureError, JWTClaimsError, JWTError
from protocol import Unsupported, check_validation, claims_json, frozen_datetime, secret, serve

REAL_DATETIME = jose.jwt.datetime
MESSAGES = [  # python-jose raises JWTClaimsError for every claim: its message says which
    ("Invalid audience", "invalid_audience"),
    ("Invalid issuer", "invalid_issuer"),
    ("Invalid subject", "invalid_subject"),
    ("not yet valid", "not_yet_valid"),
    ("Signature verification failed", "bad_signature"),
    ("alg value is not allowed", "algorithm"),
]


def code_of(e):
    if isinstance(e, ExpiredSignatureError):
        return "expired"
    if isinstance(e, (JWTClaimsError, JWTError)):
        for text, code in MESSAGES:
            if text in str(e):
                return code
    return None


def verify(req):
    check_validation(req, {"algorithms", "leeway", "iss", "aud", "sub", "required"})
    v = req.get("validation", {})
    key = req.get("jwks") or req.get("key") or secret(req)
    jose.jwt.datetime = frozen_datetime(req["now"]) if "now" in req else REAL_DATETIME
    options = {"leeway": v.get("leeway", 0)}
    for claim in v.get("required", []):
        if claim not in ("iat", "exp", "nbf", "iss", "sub", "aud", "jti", "at_hash"):
            raise Unsupported(f"python-jose cannot require {claim!r}")
        options["require_" + claim] = True
    claims = jose.jwt.decode(req["token"], key, algorithms=v.get("algorithms", ["HS256"]), options=options,
                             audience=v.get("aud"), issuer=v.get("iss"), subject=v.get("sub"))
    return {"result": "valid", "claims": claims_json(claims),
            "header": claims_json(jose.jwt.get_unverified_header(req["token"]))}


def answer(req):
    kind = req["kind"]
    try:
        if kind == "verify":
            return verify(req)
        if kind == "hmac":
            key = jose.jwk.HMACKey(bytes.fromhex(req["key_hex"]), req["alg"])
            ok = key.verify(bytes.fromhex(req["msg_hex"]), bytes.fromhex(req["mac_hex"]))
            return {"result": "valid" if ok else "invalid"}
        if kind == "base64url":
            decoded = jose.utils.base64url_decode(req["encoded"].encode())
            return {"result": "valid", "decoded_hex": decoded.hex(),
                    "encoded": jose.utils.base64url_encode(decoded).decode()}
        raise Unsupported("python-jose cannot sign exact header bytes")
    except Unsupported:
        raise
    except Exception as e:  # the library refused
        if kind == "base64url":
            return {"result": "invalid", "message": repr(e)}
        return {"result": "invalid", "code": code_of(e), "message": repr(e)}


if __name__ == "__main__":
    serve("python-jose", version("python-jose"), answer)
