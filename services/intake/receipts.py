"""Receipt codes: what a child keeps to follow their complaint, never stored in plain text.

A code is 20 symbols of Crockford's base32 (100 bits from `secrets`) shown in groups of
four, like `K7QX-M2PA-9RTD-4HWZ-B6NC`. Input is read leniently: any case, dashes or spaces
anywhere, and the letters Crockford reads as digits (I and L as 1, O as 0). Intake keeps
only HMAC-SHA256 of the canonical code under a key derived (HKDF) for this purpose alone,
so a lookup is one index hit and a copy of the database reveals no code.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SYMBOLS = 20
GROUP = 4
MAX_INPUT_CHARS = 64
# A label of its own, so the derived key is independent of the secret's other uses.
KEY_LABEL = b"heard/intake/receipt-code-hmac/v1"

_SEPARATORS = re.compile(r"[\s-]+")
_READ_AS_DIGITS = str.maketrans("ILO", "110")
_VALID = frozenset(ALPHABET)


def new_receipt_code() -> str:
    """A fresh code, grouped for reading aloud or writing down."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(SYMBOLS))
    return "-".join(symbols[i : i + GROUP] for i in range(0, SYMBOLS, GROUP))


def canonical_code(text: str) -> str:
    """The code's 20 symbols, upper case and ungrouped; ValueError if `text` is not a code."""
    symbols = _SEPARATORS.sub("", text).upper().translate(_READ_AS_DIGITS)
    if len(symbols) != SYMBOLS or not _VALID.issuperset(symbols):
        raise ValueError("not a receipt code")  # never echo the input: it may be a real code
    return symbols


class ReceiptHasher:
    """Turns receipt codes into the keyed hashes intake stores and looks up."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def derived_from(cls, secret: bytes) -> ReceiptHasher:
        """A hasher whose key HKDF derives from `secret` under intake's own label."""
        kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_LABEL)
        return cls(kdf.derive(secret))

    def digest(self, code: str) -> str:
        """The hex HMAC-SHA256 of `code` in canonical form (any accepted spelling agrees)."""
        canonical = canonical_code(code).encode("ascii")
        return hmac.new(self._key, canonical, hashlib.sha256).hexdigest()
