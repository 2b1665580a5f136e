"""Opening cases: one per complaint, with its CaseOpened event in the same transaction."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from services.casework.db import Case
from shared.bus.outbox import OutboxMessage
from shared.events.codec import EventCodec
from shared.events.contracts import CaseOpened
from shared.runtime import Runtime
from tests.unit.casework.support import deliver, deliver_record, triaged


async def _count(runtime: Runtime, model: type[Case] | type[OutboxMessage]) -> int:
    async with runtime.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def test_a_triaged_complaint_opens_one_case_and_emits_case_opened(
    runtime: Runtime, triage_codec: EventCodec
) -> None:
    decision = triaged(queue="online", priority=1)
    assert await deliver(runtime, triage_codec, decision)

    async with runtime.sessions() as session:
        case = (await session.exec(select(Case))).one()
        outbox = (await session.exec(select(OutboxMessage))).one()
    assert (case.complaint_id, case.queue, case.priority) == (decision.complaint_id, "online", 1)
    assert case.status == "received"
    assert case.respond_by == decision.respond_by
    opened = runtime.codec.decode(
        outbox.topic, outbox.key, outbox.to_record().headers, outbox.value
    )
    assert isinstance(opened.data, CaseOpened)
    assert opened.data.case_id == case.case_id
    assert opened.envelope.subject == str(decision.complaint_id)


async def test_a_redelivered_event_changes_nothing(
    runtime: Runtime, triage_codec: EventCodec
) -> None:
    decision = triaged()
    record = triage_codec.encode(decision, subject=str(decision.complaint_id))
    assert await deliver_record(runtime, record)
    assert not await deliver_record(runtime, record)
    assert await _count(runtime, Case) == 1
    assert await _count(runtime, OutboxMessage) == 1


async def test_a_second_triage_of_the_same_complaint_opens_nothing_new(
    runtime: Runtime, triage_codec: EventCodec
) -> None:
    first = triaged(queue="protection")
    again = triaged(complaint_id=first.complaint_id, queue="rights")
    assert await deliver(runtime, triage_codec, first)
    assert await deliver(runtime, triage_codec, again)  # applied, but opens nothing
    assert await _count(runtime, Case) == 1
    assert await _count(runtime, OutboxMessage) == 1
