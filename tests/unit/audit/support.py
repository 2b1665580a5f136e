"""Helpers for audit's unit tests: dead letters as the DLQ writer republishes them, and
records delivered through audit's real consumer loop."""

from __future__ import annotations

from aiokafka.structs import ConsumerRecord

from services.audit.bootstrap import SERVICE
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


async def apply_record(runtime: Runtime, record: ConsumerRecord) -> bool:
    """Deliver `record` to audit's real consumer loop; True if it was appended."""
    delivery = await consumed.deliver(runtime, SERVICE, [[record]])
    assert not delivery.refused, delivery.reasons()
    return delivery.counts.applied == 1
