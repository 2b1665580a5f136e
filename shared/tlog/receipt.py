"""A child's receipt: a tlog-proof whose extra data opens a salted commitment. Pure.

The extra line holds base64 of the JSON object

    {"format": "heard-receipt-v1", "complaint": <uuid>, "submitted_at": <RFC 3339>,
     "salt": <base64 of 32 bytes>}

from which anyone recomputes the commitment and its leaf (`shared.tlog.commitment`). The
receipt verifies when the log's key signed the checkpoint, at least `min_witnesses` of the
trusted witnesses cosigned it, and the inclusion proof takes that leaf at `index` to the
checkpoint's root. A later checkpoint with a consistency proof shows the log has not been
rewritten since. Every refusal says why in plain words (`ReceiptRefused.reason`).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from shared.tlog import cosign, merkle, note
from shared.tlog.commitment import SALT_BYTES, commitment, commitment_leaf
from shared.tlog.errors import BadCheckpoint, ReceiptRefused
from shared.tlog.proof import TlogProof, parse

RECEIPT_FORMAT = "heard-receipt-v1"
Witness = tuple[str, bytes]
"""A trusted witness: its name and Ed25519 public key."""


@dataclass(frozen=True)
class Opening:
    """What a commitment was made to: the complaint's id, its time, and the salt."""

    complaint_id: uuid.UUID
    submitted_at: datetime
    salt: bytes

    def commitment(self) -> bytes:
        """The commitment these inputs make."""
        return commitment(self.complaint_id, self.submitted_at, self.salt)

    def leaf(self) -> bytes:
        """The log leaf that records this commitment."""
        return commitment_leaf(self.commitment())

    def encode(self) -> bytes:
        """The JSON the receipt's extra line carries."""
        fields = {
            "format": RECEIPT_FORMAT,
            "complaint": str(self.complaint_id),
            "submitted_at": self.submitted_at.isoformat(),
            "salt": base64.b64encode(self.salt).decode(),
        }
        return json.dumps(fields, separators=(",", ":")).encode()


def opening_of(extra: bytes | None) -> Opening:
    """The opening in a receipt's extra data; ReceiptRefused if it holds none."""
    try:
        fields = json.loads(extra or b"")
        opening = Opening(
            uuid.UUID(fields["complaint"]),
            datetime.fromisoformat(fields["submitted_at"]),
            base64.b64decode(fields["salt"], validate=True),
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise ReceiptRefused("the receipt does not say what was registered") from None
    if fields.get("format") != RECEIPT_FORMAT or len(opening.salt) != SALT_BYTES:
        raise ReceiptRefused("the receipt does not say what was registered")
    if opening.submitted_at.tzinfo is None:
        raise ReceiptRefused("the receipt's time has no time zone")
    return opening


@dataclass(frozen=True)
class Verdict:
    """What a verified receipt proves."""

    opening: Opening
    origin: str
    index: int
    size: int
    root: bytes
    witnesses: tuple[tuple[str, datetime], ...]
    later_size: int | None = None


def _checkpoint(signed: str, log: note.Verifier) -> note.Checkpoint:
    try:
        return note.open_checkpoint(signed, log)
    except BadCheckpoint:
        raise ReceiptRefused("the checkpoint is not signed by the log you trust") from None


def _witnessed(signed: str, witnesses: Sequence[Witness]) -> tuple[tuple[str, datetime], ...]:
    found = []
    for name, public in witnesses:
        at = cosign.cosigned_at(signed, name, public)
        if at is not None:
            found.append((name, datetime.fromtimestamp(at, UTC)))
    return tuple(found)


def verify(
    text: str, log: note.Verifier, witnesses: Sequence[Witness], min_witnesses: int = 1
) -> Verdict:
    """Check a receipt offline against the log's key and the trusted witnesses' keys."""
    proof: TlogProof = parse(text)
    opening = opening_of(proof.extra)
    checkpoint = _checkpoint(proof.checkpoint, log)
    seen = _witnessed(proof.checkpoint, witnesses)
    if len(seen) < max(min_witnesses, 1):
        raise ReceiptRefused("no trusted witness cosigned the log's checkpoint")
    if not merkle.verify_inclusion(
        opening.leaf(), proof.index, checkpoint.size, proof.proof, checkpoint.root
    ):
        raise ReceiptRefused("the inclusion proof does not lead to the log's signed tree")
    return Verdict(opening, checkpoint.origin, proof.index, checkpoint.size, checkpoint.root, seen)


def extended(verdict: Verdict, later: str, log: note.Verifier, proof: Sequence[bytes]) -> Verdict:
    """`verdict`, once `later` (a newer checkpoint) is shown to extend the receipt's tree."""
    checkpoint = _checkpoint(later, log)
    if not merkle.verify_consistency(
        verdict.size, checkpoint.size, verdict.root, checkpoint.root, proof
    ):
        raise ReceiptRefused("the log has been rewritten since this receipt was made")
    return Verdict(**{**verdict.__dict__, "later_size": checkpoint.size})


def _day(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%d %B %Y at %H:%M UTC")


def describe(verdict: Verdict) -> list[str]:
    """The verdict in plain words, one sentence a line."""
    lines = [
        f"Registered on {_day(verdict.opening.submitted_at)}.",
        f"In the log {verdict.origin}, as entry {verdict.index} of {verdict.size}.",
    ]
    lines.extend(
        f"Witness {name} confirmed on {_day(at)} that the log showed it this same history."
        for name, at in verdict.witnesses
    )
    if verdict.later_size is not None:
        lines.append(
            f"The log has not been rewritten since: its tree of {verdict.later_size} "
            "entries still holds this one."
        )
    return lines
