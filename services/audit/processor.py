"""Audit's record processor: every record on the bus becomes one log append.

Events on the ordinary topics must verify (shape, known type, trust policy, signature):
audit checks who said something without ever reading what was said, so it needs no data
key. Records on dead-letter topics were already refused by some consumer; they are logged
as they are, with the reason and the refusing consumer, once the refusing consumer's
signature over its refusal verifies; an unsigned or forged dead letter is logged as such
(`unsigned-dead-letter`, `forged-dead-letter`), never as a refusal. An event carrying a
salted commitment in its signed attributes gets a second leaf: the commitment's own
(`shared.tlog.commitment`), which the holder of a receipt can recompute.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from aiokafka.structs import ConsumerRecord

from services.audit.handlers import append
from services.audit.model import (
    RawRecord,
    dead_letter_key,
    dead_letter_traceparent,
    observe_dead_letter,
    observe_event,
)
from services.audit.statistics_db import also_recording, statistic_of
from shared.bus.dlq_signing import SIGNED, check_dead_letter
from shared.bus.processing import Accepted
from shared.bus.topics import is_dlq_topic
from shared.db.uow import UnitOfWork
from shared.events.codec import EventCodec

DEAD_LETTER_TYPE = "dead-letter"


def raw_record(record: ConsumerRecord) -> RawRecord:
    """The record's place and bytes, as the leaf encoding needs them."""
    return RawRecord(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        headers=tuple(record.headers or ()),
        value=record.value,
    )


class AuditProcessor:
    """Accepts every verifiable event and every dead letter; rejects forged events."""

    def __init__(self, codec: EventCodec) -> None:
        self._codec = codec

    def prepare(self, record: ConsumerRecord) -> Accepted:
        """Verify `record` (unless it is a dead letter) and plan its append."""
        raw = raw_record(record)
        if is_dlq_topic(raw.topic):
            return self._dead_letter(raw)
        envelope = self._codec.verify(record.topic, record.key, record.headers or (), raw.value)
        return Accepted(
            dedupe_key=envelope.dedupe_key,
            event_type=envelope.type,
            event_id=envelope.id,
            traceparent=envelope.traceparent,
            apply=also_recording(
                append(envelope.traceparent, *observe_event(raw, envelope)),
                statistic_of(self._codec, record),
            ),
        )

    async def prefetch(self, batch: Sequence[Accepted], uow: UnitOfWork) -> None:
        """Appending reads nothing per record: the batch's leaves go out together."""

    def _dead_letter(self, raw: RawRecord) -> Accepted:
        observation = observe_dead_letter(raw, self._codec.knows)
        keys = self._codec.keyring.verify_key
        verdict = check_dead_letter(keys, raw.topic, raw.key, raw.headers, raw.value)
        if verdict != SIGNED:  # nobody vouches for this refusal: say what it is instead
            observation = replace(observation, dlq_reason=verdict, dlq_consumer=None)
        traceparent = dead_letter_traceparent(raw)
        return Accepted(
            dedupe_key=dead_letter_key(raw),
            event_type=observation.type or DEAD_LETTER_TYPE,
            event_id=observation.event_id or "",
            traceparent=traceparent,
            apply=append(traceparent, observation),
        )
