"""PyJWT behind the harness protocol (vectors/HARNESS.md).

Verify through jwt.decode_complete with the vector's options; the clock
through a frozen datetime in jwt.api_jwt; a JWK Set through PyJWKSet,
keyed by the token's kid as PyJWKClient does. hmac through
jwt.algorithms.HMACAlgorithm, base64url through jwt.utils. PyJWT cannot
sign exact header bytes, so sign vectors are unsupported. Errors map to
codes only where PyJWT's exception says which rule failed."""

import jwt
import jwt.algorithms
import jwt.api_jwt
import jwt.utils
from protocol import Unsupported, check_validation, claims_json, frozen_datetime, secret, serve

CODES = [  # most specific first: several derive from DecodeError
    (jwt.exceptions.ExpiredSignatureError, "expired"),
    (jwt.exceptions.ImmatureSignatureError, "not_yet_valid"),
    (jwt.exceptions.InvalidAudienceError, "invalid_audience"),
    (jwt.exceptions.InvalidIssuerError, "invalid_issuer"),
    (jwt.exceptions.InvalidSubjectError, "invalid_subject"),
    (jwt.exceptions.MissingRequiredClaimError, "missing_claim"),
    (jwt.exceptions.InvalidIssuedAtError, "invalid_claim"),
    (jwt.exceptions.InvalidSignatureError, "bad_signature"),
    (jwt.exceptions.InvalidAlgorithmError, "algorithm"),
]
HASHES = {"HS256": jwt.algorithms.HMACAlgorithm.SHA256,
          "HS384": jwt.algorithms.HMACAlgorithm.SHA384,
          "HS512": jwt.algorithms.HMACAlgorithm.SHA512}
REAL_DATETIME = jwt.api_jwt.datetime


def code_of(e):
    for cls, code in CODES:
        if isinstance(e, cls):
            return code
    if isinstance(e, jwt.exceptions.InvalidKeyError) and "length" in str(e).lower():
        return "weak_key"
    return None


def verify(req):
    check_validation(req, {"algorithms", "leeway", "iss", "aud", "sub", "required", "allow_weak_keys"})
    v = req.get("validation", {})
    token = req["token"]
    if "jwks" in req:
        kid = jwt.get_unverified_header(token).get("kid")
        keys = jwt.PyJWKSet.from_dict(req["jwks"])
        if kid is None and len(keys.keys) == 1:
            key = keys.keys[0]
        else:
            key = keys[kid]  # KeyError: unknown_key, raised below
    elif "key" in req:
        key = jwt.PyJWK(req["key"])
    else:
        key = secret(req)
    jwt.api_jwt.datetime = frozen_datetime(req["now"]) if "now" in req else REAL_DATETIME
    options = {"require": v.get("required", []),
               "enforce_minimum_key_length": not v.get("allow_weak_keys", False)}
    full = jwt.decode_complete(token, key, algorithms=v.get("algorithms", ["HS256"]), options=options,
                               audience=v.get("aud"), issuer=v.get("iss"), subject=v.get("sub"),
                               leeway=v.get("leeway", 0))
    return {"result": "valid", "claims": claims_json(full["payload"]), "header": claims_json(full["header"])}


def answer(req):
    kind = req["kind"]
    try:
        if kind == "verify":
            return verify(req)
        if kind == "hmac":
            alg = jwt.algorithms.HMACAlgorithm(HASHES[req["alg"]])
            ok = alg.verify(bytes.fromhex(req["msg_hex"]), bytes.fromhex(req["key_hex"]),
                            bytes.fromhex(req["mac_hex"]))
            return {"result": "valid" if ok else "invalid"}
        if kind == "base64url":
            decoded = jwt.utils.base64url_decode(req["encoded"])
            return {"result": "valid", "decoded_hex": decoded.hex(),
                    "encoded": jwt.utils.base64url_encode(decoded).decode()}
        raise Unsupported("PyJWT cannot sign exact header bytes")
    except Unsupported:
        raise
    except (KeyError, jwt.exceptions.PyJWKSetError) as e:
        if kind == "verify" and "jwks" in req:
            return {"result": "invalid", "code": "unknown_key", "message": f"no key for this kid: {e!r}"}
        return {"result": "invalid", "code": None, "message": repr(e)}
    except Exception as e:  # the library refused
        if kind == "base64url":
            return {"result": "invalid", "message": repr(e)}
        return {"result": "invalid", "code": code_of(e), "message": repr(e)}


if __name__ == "__main__":
    serve("PyJWT", jwt.__version__, answer)
