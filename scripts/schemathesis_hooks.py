"""schemathesis hooks for .ci/schemathesis.sh: strategies for the two string
formats /openapi.json names for what JSON Schema cannot say (lengths in
UTF-8 bytes, where minLength and maxLength count characters)."""

import schemathesis
from hypothesis import strategies as st

_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=72)

# POST /users: 8 to 72 bytes of UTF-8, no NUL (bcrypt stops at NUL).
schemathesis.openapi.format(
    "bcrypt-password",
    _TEXT.filter(lambda s: "\x00" not in s and 8 <= len(s.encode()) <= 72),
)

# POST /token: 1 to 72 bytes of UTF-8.
schemathesis.openapi.format(
    "bcrypt-input",
    _TEXT.filter(lambda s: 1 <= len(s.encode()) <= 72),
)
