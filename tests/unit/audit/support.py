"""Helpers for audit's unit tests: dead letters as the DLQ writer republishes them, and
records delivered through audit's real consumer loop."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

from aiokafka.structs import ConsumerRecord
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.audit import db
from services.audit.bootstrap import SERVICE
from services.audit.model import Observation, leaf_of_entry
from shared.bus.dlq_signing import Refusal, record_digest
from shared.crypto.keyring import Keyring
from shared.events.record import KafkaRecord
from shared.runtime import Runtime
from tests.support import consumed
from tests.support.consumed import consumer_record

CONSUMER = "audit"


def dead_letter(
    record: KafkaRecord,
    keys: Keyring | None,
    *,
    consumer: str = "triage",
    reason: str = "bad-signature",
    offset: int = 0,
) -> ConsumerRecord:
    """`record` as shared.bus.dead_letters.DeadLetterWriter republishes it, signed with
    `consumer`'s key from `keys` (unsigned, as a forger would write it, if `keys` is None)."""
    refusal = Refusal(
        consumer=consumer,
        reason=reason,
        detail="signature does not verify",
        origin=f"{record.topic}/1/{offset}",
        record=record_digest(record.topic, record.key, record.headers, record.value),
    )
    added = refusal.headers(keys.signing_key(consumer)) if keys else refusal.headers(_NOBODY)[:-1]
    headers = [*record.headers, *added]
    return consumer_record(record, topic=f"{record.topic}.dlq", headers=headers, offset=offset)


_NOBODY = Ed25519PrivateKey.generate()


async def apply_record(runtime: Runtime, record: ConsumerRecord) -> bool:
    """Deliver `record` to audit's real consumer loop; True if it was appended."""
    delivery = await consumed.deliver(runtime, SERVICE, [[record]])
    assert not delivery.refused, delivery.reasons()
    return delivery.counts.applied == 1


def entry_of(position: int) -> bytes:
    """A made-up entry for the log's position `position`."""
    return hashlib.sha256(b"entry" + position.to_bytes(8, "big")).digest()


def event_id_of(position: int) -> str:
    """A made-up event id for the entry at `position`."""
    return str(uuid.UUID(int=position + 1))


async def append_entries(
    runtime: Runtime,
    start: int,
    count: int,
    kind: str = "t",
    entry_at: Callable[[int], bytes] = entry_of,
) -> None:
    """Log `count` made-up entries at positions start, ... in one transaction."""
    observations = []
    for position in range(start, start + count):
        entry = entry_at(position).hex()
        observations.append(
            Observation(
                entry_hash=entry,
                leaf_hash=leaf_of_entry(entry),
                topic="complaints",
                partition=0,
                offset=position,
                event_id=event_id_of(position),
                source="/heard/intake",
                type=kind,
                subject=event_id_of(position),
            )
        )
    async with runtime.uow() as uow:
        await db.append_entries(uow.session, observations)
        await uow.commit()
