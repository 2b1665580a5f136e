"""Receipt codes: 100 random bits a child can read aloud, read back leniently, and stored
only as a hash under a key that is not the keyring's secret itself."""

from __future__ import annotations

import hashlib
import hmac
import math

import pytest

from services.intake.receipts import (
    ALPHABET,
    SYMBOLS,
    ReceiptHasher,
    canonical_code,
    new_receipt_code,
)

SECRET = b"s" * 32


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


def test_every_accepted_spelling_hashes_alike() -> None:
    hasher = ReceiptHasher.derived_from(SECRET)
    code = "K7QX-M2PA-9RTD-4HWZ-B6NC"
    spellings = [code, code.lower(), code.replace("-", ""), " k7qx m2pa 9rtd 4hwz b6nc "]
    assert len({hasher.digest(s) for s in spellings}) == 1
    assert len(hasher.digest(code)) == 64


def test_the_hash_key_is_derived_not_the_secret_itself() -> None:
    code = canonical_code(new_receipt_code())
    derived = ReceiptHasher.derived_from(SECRET).digest(code)
    raw = hmac.new(SECRET, code.encode(), hashlib.sha256).hexdigest()
    assert derived != raw
    assert derived != ReceiptHasher.derived_from(b"t" * 32).digest(code)
    assert derived == ReceiptHasher.derived_from(SECRET).digest(code)
