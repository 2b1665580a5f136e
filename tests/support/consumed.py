"""Bus records as a consumer receives them, and the consumer loop's apply-once step
(inbox check, apply, inbox row, commit) without Kafka, for services' unit tests."""

from __future__ import annotations

from collections.abc import Mapping

from aiokafka.structs import ConsumerRecord

from shared.bus.inbox import already_processed, record_processed
from shared.bus.processing import Accepted, EventDispatcher, Handler
from shared.events.record import KafkaRecord
from shared.runtime import Runtime


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


async def apply_once(runtime: Runtime, accepted: Accepted, consumer: str) -> bool:
    """Apply `accepted` unless the inbox has it, as the consumer loop does; True if applied."""
    async with runtime.uow() as uow:
        if await already_processed(uow.session, consumer, accepted.dedupe_key):
            return False
        await accepted.apply(uow)
        record_processed(uow.session, consumer, accepted.dedupe_key)
        await uow.commit()
        return True


async def handle_record(
    runtime: Runtime, handlers: Mapping[str, Handler], record: KafkaRecord, consumer: str
) -> bool:
    """Hand `record` to a service's handlers as its consumer loop would; True if applied."""
    accepted = EventDispatcher(runtime.codec, dict(handlers)).prepare(consumer_record(record))
    assert accepted is not None, "the record was dead-lettered"
    return await apply_once(runtime, accepted, consumer)
