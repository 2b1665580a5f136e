"""Receipt codes: what a child keeps to follow their complaint, never stored in plain text.

A code is 20 symbols of Crockford's base32 (100 bits from `secrets`) shown in groups of
four, like `K7QX-M2PA-9RTD-4HWZ-B6NC`. Input is read leniently: any case, dashes or spaces
anywhere, and the letters Crockford reads as digits (I and L as 1, O as 0). Intake keeps
only HMAC-SHA256 of the canonical code under its own versioned secret
`intake/receipt-code` (never the staff-token key), with the key id beside each hash: after
a rotation, codes issued under an older version still open their complaint.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

from shared.crypto.keyring import Keyring

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SYMBOLS = 20
GROUP = 4
MAX_INPUT_CHARS = 64
KEY_NAME = "intake/receipt-code"

# What a client may send (documented in the API): 20 symbols, with I, L and O and any case,
# separated by spaces, dashes or line breaks anywhere.
RECEIPT_PATTERN = r"^[\t\n\r -]*(?:[0-9A-TV-Za-tv-z][\t\n\r -]*){20}$"
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

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring

    def digest(self, code: str) -> tuple[str, str]:
        """`(key id, hex HMAC-SHA256)` of `code` under the current receipt-code key."""
        key = self._keyring.secret(KEY_NAME)
        return key.key_id, self.digest_under(code, key.key_id)

    def digest_under(self, code: str, key_id: str) -> str:
        """The hex HMAC-SHA256 of `code` in canonical form under version `key_id`."""
        canonical = canonical_code(code).encode("ascii")
        secret = self._keyring.secret(KEY_NAME, key_id).secret
        return hmac.new(secret, canonical, hashlib.sha256).hexdigest()

    def candidates(self, code: str, key_ids: Iterable[str]) -> list[tuple[str, str]]:
        """`(key id, hash)` of `code` under each version a stored receipt uses."""
        return [(key_id, self.digest_under(code, key_id)) for key_id in sorted(set(key_ids))]
