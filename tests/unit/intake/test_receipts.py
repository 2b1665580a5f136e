"""Receipt codes: 16 random digits a child can read aloud in any language, typed back in
their own numerals, stored only as a truncated keyed tag and an Argon2id hash under
intake's own versioned receipt-code secret (never the staff-token key)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re

import pytest

from services.intake.receipts import (
    DIGITS,
    KEY_NAME,
    RECEIPT_PATTERN,
    TAG_HEX,
    ReceiptHasher,
    canonical_code,
    is_code,
    legacy_code,
    new_receipt_code,
)
from shared.crypto.keyring import FileKeyring
from shared.errors import DecryptionFailed

CODE = "4821 0937 5561 2048"


def test_codes_carry_53_bits_in_four_groups_of_four_western_digits() -> None:
    assert DIGITS * math.log2(10) > 53
    code = new_receipt_code()
    groups = code.split(" ")
    assert [len(g) for g in groups] == [4] * 4
    assert "".join(groups).isascii()
    assert "".join(groups).isdigit()


def test_codes_do_not_repeat_and_use_every_digit_everywhere() -> None:
    codes = [new_receipt_code().replace(" ", "") for _ in range(2000)]
    assert len(set(codes)) == 2000
    for position in range(DIGITS):
        assert {c[position] for c in codes} == set("0123456789")


@pytest.mark.parametrize(
    "spelling",
    [
        "4821093755612048",
        "4821-0937-5561-2048",
        " 4821  0937\t5561 2048 ",
        "٤٨٢١ ٠٩٣٧ ٥٥٦١ ٢٠٤٨",  # Arabic-Indic
        "۴۸۲۱-۰۹۳۷-۵۵۶۱-۲۰۴۸",  # Persian (Extended Arabic-Indic)
        "\u3000".join("".join(chr(0xFF10 + int(d)) for d in g) for g in CODE.split()),
        "4821\u20130937\u20145561\uff0d2048",  # en dash, em dash, full-width hyphen
    ],
)
def test_a_childs_own_numerals_and_separators_are_read(spelling: str) -> None:
    assert canonical_code(spelling) == "4821093755612048"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "4821",
        "48210937556120481",
        "482109375561204x",
        "4821.0937.5561.2048",
        "²" * 16,
        "½" * 16,
    ],
)
def test_what_is_not_a_code_is_refused_without_echo(text: str) -> None:
    with pytest.raises(ValueError, match=r"^not a receipt code$"):
        canonical_code(text)


def test_old_codes_are_still_recognised_as_codes() -> None:
    assert legacy_code("k7qx-m2pa-9rtd-4hwz-b6nc") == "K7QXM2PA9RTD4HWZB6NC"
    assert is_code("K7QX-M2PA-9RTD-4HWZ-B6NC")
    assert is_code(CODE)
    assert not is_code("K7QX")


def test_every_spelling_gives_one_tag_and_matches_the_argon2id_hash(keyring: FileKeyring) -> None:
    hasher = ReceiptHasher(keyring)
    issued = hasher.issue(CODE)
    assert issued.key_id == "intake-receipt-code-1"
    assert issued.argon2_hash.startswith("$argon2id$v=19$m=2048,t=1,p=1$")
    assert CODE.replace(" ", "") not in issued.argon2_hash
    assert len(issued.tag) == TAG_HEX
    for spelling in ("4821093755612048", "٤٨٢١ ٠٩٣٧ ٥٥٦١ ٢٠٤٨"):
        assert hasher.tag(spelling, issued.key_id) == issued.tag
        assert hasher.matches(issued.argon2_hash, spelling)
    assert not hasher.matches(issued.argon2_hash, "4821093755612049")
    assert not hasher.matches("not a hash", CODE)


def test_the_tag_is_keyed_by_the_receipt_secret_not_the_staff_token_key(
    keyring: FileKeyring,
) -> None:
    digits = canonical_code(CODE).encode()
    tag = ReceiptHasher(keyring).tag(CODE, "intake-receipt-code-1")
    secret = keyring.secret(KEY_NAME).secret
    assert tag == hmac.new(secret, b"tag\x00" + digits, hashlib.sha256).hexdigest()[:TAG_HEX]
    assert tag != hmac.new(keyring.token_key(), b"tag\x00" + digits, hashlib.sha256).hexdigest()[:8]


def _rotated(keyring: FileKeyring) -> str:
    entry = keyring.document()["secrets"][KEY_NAME]
    entry["keys"]["intake-receipt-code-2"] = base64.b64encode(b"n" * 32).decode()
    entry["current"] = "intake-receipt-code-2"
    return "intake-receipt-code-2"


def test_after_a_rotation_old_codes_still_tag_under_their_key(keyring: FileKeyring) -> None:
    hasher = ReceiptHasher(keyring)
    before = hasher.issue(CODE)
    new_id = _rotated(keyring)
    after = hasher.issue(CODE)
    assert after.key_id == new_id != before.key_id
    tags = hasher.tags(CODE, [before.key_id, new_id])
    assert (before.key_id, before.tag) in tags
    assert (after.key_id, after.tag) in tags


def test_what_is_sealed_under_a_code_opens_only_with_that_code(keyring: FileKeyring) -> None:
    hasher = ReceiptHasher(keyring)
    sealed = hasher.seal(CODE, "intake-receipt-code-1", b"salt", b"bound")
    assert hasher.open("٤٨٢١٠٩٣٧٥٥٦١٢٠٤٨", "intake-receipt-code-1", sealed, b"bound") == b"salt"
    with pytest.raises(DecryptionFailed):
        hasher.open("4821093755612049", "intake-receipt-code-1", sealed, b"bound")


@pytest.mark.parametrize(
    "text",
    [
        "1234 5678 9012 3456",
        "١٢٣٤-٥٦٧٨-٩٠١٢-٣٤٥٦",
        "۱۲۳۴۵۶۷۸۹۰۱۲۳۴۵۶",
        "".join(chr(0xFF10 + int(d)) for d in "1234567890123456"),  # full-width
        "K7QX-M2PA-9RTD-4HWZ-B6NC",
        "k7qx m2pa 9rtd 4hwz b6nc",
        "123",
        "१२३४५६७८९०१२३४५६",  # Devanagari digits: not among the numerals read
        "\u0131" * 20,  # dotless i upper-cases to I: not a legacy symbol
        "K7QX-M2PA-9RTD-4HWZ-B6NU",
        "1234\x1c5678 9012 3456",  # a separator Python calls white space, the schema does not
    ],
)
def test_the_documented_pattern_accepts_exactly_what_is_read_as_a_code(text: str) -> None:
    assert bool(re.fullmatch(RECEIPT_PATTERN, text)) == is_code(text)
