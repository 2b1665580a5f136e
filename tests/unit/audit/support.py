"""Helpers for audit's unit tests: bus records as the consumer hands them over, and the
consumer's apply-once step (inbox check, apply, inbox row, commit) without Kafka."""

from __future__ import annotations

from aiokafka.structs import ConsumerRecord

from shared.bus.inbox import already_processed, record_processed
from shared.bus.processing import Accepted
from shared.events.record import KafkaRecord
from shared.runtime import Runtime

CONSUMER = "audit"


def consumer_record(
    record: KafkaRecord,
    *,
    topic: str | None = None,
    headers: list[tuple[str, bytes]] | None = None,
    offset: int = 0,
) -> ConsumerRecord:
    """`record` as a consumer would receive it (logical topic), optionally altered."""
    key, value = record.key, record.value
    return ConsumerRecord(
        topic=topic or record.topic,
        partition=1,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key or b""),
        serialized_value_size=len(value),
        headers=headers if headers is not None else list(record.headers),
    )


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
    """Apply `accepted` unless the inbox has it, as the consumer loop does; True if applied."""
    async with runtime.uow() as uow:
        if await already_processed(uow.session, CONSUMER, accepted.dedupe_key):
            return False
        await accepted.apply(uow)
        record_processed(uow.session, CONSUMER, accepted.dedupe_key)
        await uow.commit()
        return True
