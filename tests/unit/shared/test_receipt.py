"""A child's receipt (c2sp.org/tlog-proof with a salted commitment): a genuine one verifies
and says when and where it was registered; every forgery is refused, by the shared
verifier and by `heard receipt verify`, with the reason in plain words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deploy.cli import main
from shared.tlog import cosign, note
from shared.tlog.errors import ReceiptRefused
from shared.tlog.proof import parse
from shared.tlog.receipt import describe, extended, verify
from tests.support.receipts import INDEX, LATER, ORIGIN, SIZE, make_receipts

RECEIPTS = make_receipts()
REASONS = {
    "wrong salt": "inclusion proof",
    "other index": "inclusion proof",
    "no witness": "no trusted witness",
    "tampered proof": "inclusion proof",
    "other log's key": "not signed by the log",
    "other time": "inclusion proof",
    "not a proof": "not a c2sp.org/tlog-proof",
}


def _verify(text: str, log_key: str = RECEIPTS.log_key) -> list[str]:
    witness = cosign.parse_verifier_key(RECEIPTS.witness_key)
    return describe(verify(text, note.parse_verifier(log_key), [witness]))


def test_a_genuine_receipt_says_when_and_where_it_was_registered() -> None:
    lines = _verify(RECEIPTS.genuine)
    assert lines[0] == "Registered on 23 November 2026 at 22:55 UTC."
    assert lines[1] == f"In the log {ORIGIN}, as entry {INDEX} of {SIZE}."
    assert lines[2].startswith("Witness witness.example.org/w1 confirmed on ")


def test_the_receipt_is_a_tlog_proof_and_holds_nothing_of_the_complaint() -> None:
    proof = parse(RECEIPTS.genuine)
    assert RECEIPTS.genuine.startswith("c2sp.org/tlog-proof@v1\nextra ")
    assert proof.index == INDEX
    assert proof.extra is not None
    assert set(json.loads(proof.extra)) == {"format", "complaint", "submitted_at", "salt"}


@pytest.mark.parametrize("forgery", sorted(REASONS))
def test_every_forgery_is_refused_with_its_reason(forgery: str) -> None:
    with pytest.raises(ReceiptRefused, match=REASONS[forgery]):
        _verify(RECEIPTS.forgeries[forgery])


def test_a_receipt_checked_against_another_log_key_is_refused() -> None:
    with pytest.raises(ReceiptRefused, match="not signed by the log"):
        _verify(RECEIPTS.genuine, RECEIPTS.other_log_key)


def _cli(tmp_path: Path, text: str, log_key: str = RECEIPTS.log_key) -> int:
    receipt = tmp_path / "heard-receipt.tlog-proof"
    receipt.write_text(text, encoding="utf-8")
    args = ["receipt", "verify", str(receipt), "--log-key", log_key]
    return main([*args, "--witness-key", RECEIPTS.witness_key])


def test_heard_receipt_verify_accepts_the_genuine_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(tmp_path, RECEIPTS.genuine) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: this receipt is genuine.\nRegistered on 23 November 2026")


@pytest.mark.parametrize("forgery", sorted(REASONS))
def test_heard_receipt_verify_refuses_every_forgery(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], forgery: str
) -> None:
    assert _cli(tmp_path, RECEIPTS.forgeries[forgery]) == 1
    out = capsys.readouterr().out
    assert out.startswith("REFUSED: ")
    assert REASONS[forgery] in out


def test_heard_receipt_verify_refuses_under_another_log_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(tmp_path, RECEIPTS.genuine, RECEIPTS.other_log_key) == 1
    assert "not signed by the log" in capsys.readouterr().out


def test_a_later_checkpoint_shows_the_log_was_not_rewritten_since() -> None:
    log = note.parse_verifier(RECEIPTS.log_key)
    verdict = verify(RECEIPTS.genuine, log, [cosign.parse_verifier_key(RECEIPTS.witness_key)])
    later = extended(verdict, RECEIPTS.later, log, RECEIPTS.consistency)
    assert describe(later)[-1] == (
        f"The log has not been rewritten since: its tree of {LATER} entries still holds this one."
    )
    with pytest.raises(ReceiptRefused, match="rewritten since"):
        extended(verdict, RECEIPTS.rewritten, log, RECEIPTS.consistency)
    with pytest.raises(ReceiptRefused, match="not signed by the log"):
        extended(verdict, RECEIPTS.later, note.parse_verifier(RECEIPTS.other_log_key), [])
