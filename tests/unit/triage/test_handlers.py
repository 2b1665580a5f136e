"""Triaging a submitted complaint: one decision per complaint, its event in the same transaction."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from services.triage.bootstrap import SERVICE as TRIAGE
from services.triage.db import TriageDecision
from services.triage.model import RuleSet
from shared.bus.outbox import OutboxMessage
from shared.events.codec import EventCodec
from shared.events.contracts import ComplaintSubmitted, ComplaintTriaged
from shared.events.record import KafkaRecord
from shared.runtime import Runtime
from tests.support.consumed import consumer_record, deliver, handle_record
from tests.support.events import MARKER, submitted


async def _deliver(runtime: Runtime, rules: RuleSet, record: KafkaRecord) -> bool:
    return await handle_record(runtime, TRIAGE, record)


def _encoded(codec: EventCodec, complaint: ComplaintSubmitted) -> KafkaRecord:
    return codec.encode(complaint, subject=str(complaint.complaint_id))


async def _count(runtime: Runtime, model: type[TriageDecision] | type[OutboxMessage]) -> int:
    async with runtime.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def test_a_submitted_complaint_is_decided_once_and_emits_complaint_triaged(
    runtime: Runtime, rules: RuleSet, intake_codec: EventCodec
) -> None:
    complaint = submitted("he hits me and says he will kill me " + MARKER)
    assert await _deliver(runtime, rules, _encoded(intake_codec, complaint))

    async with runtime.sessions() as session:
        stored = (await session.exec(select(TriageDecision))).one()
        outbox = (await session.exec(select(OutboxMessage))).one()
    assert (stored.complaint_id, stored.category, stored.urgency, stored.queue) == (
        complaint.complaint_id,
        "violence",
        "emergency",
        "protection",
    )
    triaged = runtime.codec.decode("triage", outbox.key, outbox.to_record().headers, outbox.value)
    assert isinstance(triaged.data, ComplaintTriaged)
    assert triaged.data.complaint_id == complaint.complaint_id
    assert triaged.data.priority == 1
    assert triaged.envelope.subject == str(complaint.complaint_id)
    # Triage keeps and sends a decision, never the child's words.
    assert MARKER not in stored.reasons
    assert MARKER not in triaged.data.model_dump_json()


async def test_a_redelivered_complaint_changes_nothing(
    runtime: Runtime, rules: RuleSet, intake_codec: EventCodec
) -> None:
    record = _encoded(intake_codec, submitted())
    assert await _deliver(runtime, rules, record)
    assert not await _deliver(runtime, rules, record)
    assert await _count(runtime, TriageDecision) == 1
    assert await _count(runtime, OutboxMessage) == 1


async def test_a_complaint_sent_again_under_a_new_event_id_keeps_its_first_decision(
    runtime: Runtime, rules: RuleSet, intake_codec: EventCodec
) -> None:
    first = submitted("my father hits me")
    again = first.model_copy(update={"narrative": "school exam"})
    assert await _deliver(runtime, rules, _encoded(intake_codec, first))
    assert await _deliver(runtime, rules, _encoded(intake_codec, again))
    async with runtime.sessions() as session:
        stored = (await session.exec(select(TriageDecision))).one()
    assert stored.category == "violence"
    assert await _count(runtime, OutboxMessage) == 1


async def test_a_complaint_sent_twice_within_one_batch_keeps_its_first_decision(
    runtime: Runtime, intake_codec: EventCodec
) -> None:
    # Within a batch handlers do not see each other's new rows; the conflict must send the
    # batch down the per-record path, where the second finds the first decision.
    first = submitted("my father hits me")
    again = first.model_copy(update={"narrative": "school exam"})
    records = [
        consumer_record(_encoded(intake_codec, first), offset=0),
        consumer_record(_encoded(intake_codec, again), offset=1),
    ]
    delivery = await deliver(runtime, TRIAGE, [records])
    assert not delivery.refused
    async with runtime.sessions() as session:
        stored = (await session.exec(select(TriageDecision))).one()
    assert stored.category == "violence"
    assert await _count(runtime, OutboxMessage) == 1
