"""Helpers for audit's unit tests: dead letters as the DLQ writer republishes them, and
the consumer's apply-once step as audit's consumer group runs it."""

from __future__ import annotations

from aiokafka.structs import ConsumerRecord

from shared.bus.processing import Accepted
from shared.events.record import KafkaRecord
from shared.runtime import Runtime
from tests.support import consumed
from tests.support.consumed import consumer_record

CONSUMER = "audit"


def dead_letter(
    record: KafkaRecord, *, consumer: str = "triage", reason: str = "bad-signature", offset: int = 0
) -> ConsumerRecord:
    """`record` as shared.bus.dead_letters.DeadLetterWriter republishes it."""
    headers = [
        *record.headers,
        ("dlq_reason", reason.encode()),
        ("dlq_detail", b"signature does not verify"),
        ("dlq_consumer", consumer.encode()),
        ("dlq_origin", f"{record.topic}/1/{offset}".encode()),
    ]
    return consumer_record(record, topic=f"{record.topic}.dlq", headers=headers, offset=offset)


async def apply_once(runtime: Runtime, accepted: Accepted) -> bool:
    """Apply `accepted` as audit's consumer would; True if it was new."""
    return await consumed.apply_once(runtime, accepted, CONSUMER)
