"""Receipt codes: what a child keeps to follow their complaint, never stored in plain text.

A code is 16 random decimal digits (53 bits, from `secrets`) shown in groups of four, like
`4821 0937 5561 2048`: readable aloud in any language, typeable on any phone. Input is read
leniently: Arabic-Indic, Persian and full-width digits count as their Western digit, and
spaces and dashes anywhere are ignored (`RECEIPT_PATTERN` says exactly what is accepted).

Intake stores, per code, a short keyed lookup tag (HMAC-SHA256 under its own versioned
secret `intake/receipt-code`, truncated to 32 bits, with the key id beside it) and an
Argon2id hash. Without the secret a database leak cannot be searched at all; with it, the
truncated tag still leaves millions of candidate codes per receipt, each costing an
Argon2id evaluation. Argon2id is cheap per call (t=1, 2 MiB, ~1 ms) because submissions
must stay cheap: the keyed tag is what stops offline enumeration.

Codes issued before (20 symbols of Crockford's base32, `K7QX-M2PA-9RTD-4HWZ-B6NC`, stored
as a full HMAC) keep working until they expire (`legacy_code`, `ReceiptHasher.legacy_*`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from shared.crypto import aead
from shared.crypto.keyring import Keyring

DIGITS = 16
GROUP = 4
MAX_INPUT_CHARS = 64
KEY_NAME = "intake/receipt-code"
TAG_HEX = 8  # 32 bits: see the module docstring
ARGON2_TIME_COST = 1
ARGON2_MEMORY_KIB = 2048

LEGACY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LEGACY_SYMBOLS = 20
# Digits read as their Western digit: Western, Arabic-Indic, Persian, full-width.
_DIGIT_RANGES = ("0", "\u0660", "\u06f0", "\uff10")
_DIGIT = "".join(f"{first}-{chr(ord(first) + 9)}" for first in _DIGIT_RANGES)
# Separators ignored anywhere: white space a phone or keyboard types, and every dash.
_SEPARATOR = "\t\n\r \u00a0\u3000\u2010-\u2015\u2212\ufe63\uff0d-"
_SEPARATORS = re.compile(f"[{_SEPARATOR}]+")
_TO_WESTERN = str.maketrans(
    {chr(ord(first) + d): str(d) for first in _DIGIT_RANGES for d in range(10)}
)
# What a client may send (documented in the API, exactly what `is_code` accepts): 16 digits,
# or an old code's 20 symbols (I, L and O read as digits, any case), separators anywhere.
RECEIPT_PATTERN = (
    f"^[{_SEPARATOR}]*(?:(?:[{_DIGIT}][{_SEPARATOR}]*){{{DIGITS}}}"
    f"|(?:[0-9A-TV-Za-tv-z][{_SEPARATOR}]*){{{LEGACY_SYMBOLS}}})$"
)
_READ_AS_DIGITS = str.maketrans("ILO", "110")
_LEGACY_VALID = frozenset(LEGACY_ALPHABET)


def new_receipt_code() -> str:
    """A fresh code, in groups of four for reading aloud or writing down."""
    digits = "".join(secrets.choice("0123456789") for _ in range(DIGITS))
    return group(digits)


def group(digits: str) -> str:
    """`digits` in groups of four separated by spaces."""
    return " ".join(digits[i : i + GROUP] for i in range(0, len(digits), GROUP))


def _western(text: str) -> str:
    return _SEPARATORS.sub("", text).translate(_TO_WESTERN)


def canonical_code(text: str) -> str:
    """The code's 16 Western digits, ungrouped; ValueError if `text` is not a code."""
    digits = _western(text[:MAX_INPUT_CHARS])
    if len(digits) != DIGITS or not digits.isascii() or not digits.isdigit():
        raise ValueError("not a receipt code")  # never echo the input: it may be a real code
    return digits


def legacy_code(text: str) -> str:
    """An old-form code's 20 symbols, upper case and ungrouped; ValueError if not one."""
    symbols = _SEPARATORS.sub("", text[:MAX_INPUT_CHARS])
    # ASCII before upper(): the dotless i upper-cases to "I"; the documented pattern is ASCII.
    symbols = symbols.upper().translate(_READ_AS_DIGITS) if symbols.isascii() else ""
    if len(symbols) != LEGACY_SYMBOLS or not _LEGACY_VALID.issuperset(symbols):
        raise ValueError("not a receipt code")
    return symbols


def is_code(text: str) -> bool:
    """Whether `text` reads as a code of either form."""
    for reader in (canonical_code, legacy_code):
        try:
            reader(text)
        except ValueError:
            continue
        return True
    return False


@dataclass(frozen=True)
class IssuedCode:
    """What intake stores of a new code."""

    key_id: str
    tag: str
    argon2_hash: str


class ReceiptHasher:
    """Turns receipt codes into what intake stores and looks up, and seals under them."""

    def __init__(self, keyring: Keyring, legacy_max_age: timedelta = timedelta(days=365)) -> None:
        self._keyring = keyring
        self._argon2 = PasswordHasher(
            time_cost=ARGON2_TIME_COST,
            memory_cost=ARGON2_MEMORY_KIB,
            parallelism=1,
            hash_len=16,
            salt_len=16,
            type=Type.ID,
        )
        self.legacy_max_age = legacy_max_age

    def legacy_valid(self, issued_at: datetime, now: datetime) -> bool:
        """Whether an old-form code issued at `issued_at` still opens its complaint."""
        return now - issued_at <= self.legacy_max_age

    def _secret(self, key_id: str | None = None) -> tuple[str, bytes]:
        key = self._keyring.secret(KEY_NAME, key_id)
        return key.key_id, key.secret

    def issue(self, code: str) -> IssuedCode:
        """Tag and Argon2id hash of `code` under the current receipt-code key."""
        key_id, _ = self._secret()
        return IssuedCode(key_id, self.tag(code, key_id), self._argon2.hash(canonical_code(code)))

    def tag(self, code: str, key_id: str) -> str:
        """The truncated keyed lookup tag of `code` under version `key_id`."""
        _, secret = self._secret(key_id)
        canonical = canonical_code(code).encode("ascii")
        return hmac.new(secret, b"tag\x00" + canonical, hashlib.sha256).hexdigest()[:TAG_HEX]

    def tags(self, code: str, key_ids: Iterable[str]) -> list[tuple[str, str]]:
        """`(key id, tag)` of `code` under each version a stored receipt uses."""
        return [(key_id, self.tag(code, key_id)) for key_id in sorted(set(key_ids))]

    def matches(self, argon2_hash: str, code: str) -> bool:
        """Whether `code` is the one `argon2_hash` was made from."""
        try:
            return self._argon2.verify(argon2_hash, canonical_code(code))
        except (VerificationError, InvalidHashError):
            return False

    def seal(self, code: str, key_id: str, plaintext: bytes, bound: bytes) -> bytes:
        """`plaintext` sealed so that only the holder of `code` (with intake's key) opens it."""
        return aead.seal(self._sealing_key(code, key_id), plaintext, bound)

    def open(self, code: str, key_id: str, sealed: bytes, bound: bytes) -> bytes:
        """What `seal` sealed under `code`."""
        return aead.open_sealed(self._sealing_key(code, key_id), sealed, bound)

    def _sealing_key(self, code: str, key_id: str) -> bytes:
        _, secret = self._secret(key_id)
        canonical = canonical_code(code).encode("ascii")
        return hmac.new(secret, b"seal\x00" + canonical, hashlib.sha256).digest()

    def legacy_candidates(self, code: str, key_ids: Iterable[str]) -> list[tuple[str, str]]:
        """`(key id, full HMAC)` of an old-form `code` under each version stored."""
        canonical = legacy_code(code).encode("ascii")
        found = []
        for key_id in sorted(set(key_ids)):
            _, secret = self._secret(key_id)
            found.append((key_id, hmac.new(secret, canonical, hashlib.sha256).hexdigest()))
        return found
