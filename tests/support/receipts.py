"""A genuine receipt and one forgery of each kind, made with the real log formats over an
in-memory tree (log key and witness key fresh for each call)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.tlog import cosign, merkle, note
from shared.tlog.commitment import commitment_entry
from shared.tlog.proof import TlogProof
from shared.tlog.receipt import Opening

ORIGIN = "example.org/heard/audit/log"
WITNESS = "witness.example.org/w1"
SUBMITTED = datetime(2026, 11, 23, 22, 55, 13, 123456, tzinfo=UTC)
INDEX, SIZE, LATER = 5, 13, 20


@dataclass(frozen=True)
class Receipts:
    """The genuine receipt, its keys, and forgeries by name."""

    genuine: str
    log_key: str
    witness_key: str
    forgeries: dict[str, str]
    other_log_key: str
    later: str  # a checkpoint of LATER entries extending the receipt's tree
    consistency: list[bytes]  # the proof that it does
    rewritten: str  # a checkpoint of LATER entries that rewrote history


def _signed(
    size: int, root: bytes, log: Ed25519PrivateKey, witness: Ed25519PrivateKey | None
) -> str:
    body = note.Checkpoint(ORIGIN, size, root).body()
    signed = note.sign(body, ORIGIN, log)
    return signed + (cosign.cosign(body, WITNESS, witness, 1_795_000_000) if witness else "")


def _entries(leaf_entry: bytes) -> list[bytes]:
    entries = [hashlib.sha256(b"record %d" % i).digest() for i in range(LATER)]
    entries[INDEX] = leaf_entry
    return entries


def make_receipts() -> Receipts:
    """A receipt for a fresh commitment at INDEX of a tree of SIZE, and its forgeries."""
    log, witness, other_log = (Ed25519PrivateKey.generate() for _ in range(3))
    opening = Opening(uuid.uuid4(), SUBMITTED, secrets.token_bytes(32))
    entries = _entries(commitment_entry(opening.commitment()))
    nodes = merkle.append_nodes(0, {}, entries)
    root, later = merkle.resolve([merkle.root_group(SIZE), merkle.root_group(LATER)], nodes)
    other = merkle.append_nodes(0, {}, [*entries[:3], b"\x00" * 32, *entries[4:]])
    rewritten = merkle.resolve([merkle.root_group(LATER)], other)[0]
    proof = tuple(merkle.resolve(merkle.inclusion_groups(INDEX, SIZE), nodes))
    good = TlogProof(INDEX, proof, _signed(SIZE, root, log, witness), opening.encode())
    wrong_salt = replace(opening, salt=secrets.token_bytes(32)).encode()
    tampered = (proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:])
    forgeries = {
        "wrong salt": replace(good, extra=wrong_salt).encode(),
        "other index": replace(good, index=INDEX + 1).encode(),
        "no witness": replace(good, checkpoint=_signed(SIZE, root, log, None)).encode(),
        "tampered proof": replace(good, proof=tampered).encode(),
        "other log's key": replace(
            good, checkpoint=_signed(SIZE, root, other_log, witness)
        ).encode(),
        "other time": replace(
            good, extra=replace(opening, submitted_at=SUBMITTED.replace(year=2025)).encode()
        ).encode(),
        "not a proof": "hello\n\nworld\n",
    }
    return Receipts(
        genuine=good.encode(),
        log_key=note.verifier_of(ORIGIN, log).encode(),
        witness_key=cosign.verifier_key(WITNESS, note.public_bytes(witness)),
        forgeries=forgeries,
        other_log_key=note.verifier_of(ORIGIN, other_log).encode(),
        later=_signed(LATER, later, log, witness),
        consistency=merkle.resolve(merkle.consistency_groups(SIZE, LATER), nodes),
        rewritten=_signed(LATER, rewritten, log, witness),
    )
