"""Receipt codes: 100 random bits a child can read aloud, read back leniently, and stored
only as a hash under intake's own versioned receipt-code secret (never the staff-token key)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import math

import pytest

from services.intake.receipts import (
    ALPHABET,
    KEY_NAME,
    SYMBOLS,
    ReceiptHasher,
    canonical_code,
    new_receipt_code,
)
from shared.crypto.keyring import FileKeyring


def test_codes_carry_at_least_100_bits_in_groups_of_four() -> None:
    assert SYMBOLS * math.log2(len(ALPHABET)) >= 100
    code = new_receipt_code()
    groups = code.split("-")
    assert [len(g) for g in groups] == [4] * 5
    assert set("".join(groups)) <= set(ALPHABET)


def test_codes_do_not_repeat_and_use_the_whole_alphabet() -> None:
    codes = {new_receipt_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert set("".join(codes).replace("-", "")) == set(ALPHABET)


def test_ambiguous_letters_are_absent_and_read_as_digits() -> None:
    assert not set("ILOU") & set(ALPHABET)
    assert canonical_code("iIlL-oO00-1111-2222-3333") == "11110000111122223333"


@pytest.mark.parametrize(
    "text", ["", "K7QX", "K7QX-M2PA-9RTD-4HWZ-B6NU", "K7QX.M2PA.9RTD.4HWZ.B6NC", "é" * 20]
)
def test_what_is_not_a_code_is_refused_without_echo(text: str) -> None:
    with pytest.raises(ValueError, match=r"^not a receipt code$"):
        canonical_code(text)


def test_every_accepted_spelling_hashes_alike(keyring: FileKeyring) -> None:
    hasher = ReceiptHasher(keyring)
    code = "K7QX-M2PA-9RTD-4HWZ-B6NC"
    spellings = [code, code.lower(), code.replace("-", ""), " k7qx m2pa 9rtd 4hwz b6nc "]
    assert len({hasher.digest(s) for s in spellings}) == 1
    key_id, digest = hasher.digest(code)
    assert (key_id, len(digest)) == ("intake-receipt-code-1", 64)


def test_the_key_is_the_receipt_secret_not_the_staff_token_key(keyring: FileKeyring) -> None:
    code = canonical_code(new_receipt_code())
    _, digest = ReceiptHasher(keyring).digest(code)
    secret = keyring.secret(KEY_NAME).secret
    assert digest == hmac.new(secret, code.encode(), hashlib.sha256).hexdigest()
    staff = hmac.new(keyring.token_key(), code.encode(), hashlib.sha256).hexdigest()
    assert digest != staff


def _rotated(keyring: FileKeyring) -> str:
    entry = keyring.document()["secrets"][KEY_NAME]
    entry["keys"]["intake-receipt-code-2"] = base64.b64encode(b"n" * 32).decode()
    entry["current"] = "intake-receipt-code-2"
    return "intake-receipt-code-2"


def test_after_a_rotation_old_codes_still_match_under_their_key(keyring: FileKeyring) -> None:
    hasher = ReceiptHasher(keyring)
    code = new_receipt_code()
    before = hasher.digest(code)
    new_id = _rotated(keyring)
    after = hasher.digest(code)
    assert after[0] == new_id != before[0]
    assert before in hasher.candidates(code, [before[0], new_id])
    assert after in hasher.candidates(code, [before[0], new_id])
