"""Opening cases: one per complaint, with its CaseOpened event in the same transaction."""

from __future__ import annotations

from sqlalchemy import event, func
from sqlmodel import select

from services.casework.bootstrap import SERVICE as CASEWORK
from services.casework.db import Case, ComplaintRecord
from shared.bus.outbox import OutboxMessage
from shared.events.codec import EventCodec
from shared.events.contracts import CaseOpened
from shared.runtime import Runtime
from tests.support.consumed import consumer_record
from tests.support.consumed import deliver as deliver_polls
from tests.support.intake_events import as_intake, submitted
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


async def test_a_poll_of_submissions_then_decisions_applies_each_batch_in_one_go(
    runtime: Runtime, intake_codec: EventCodec, triage_codec: EventCodec
) -> None:
    # The batch's prefetch and the field cipher let every record of a poll apply together:
    # no record falls back to its own savepoint, and a complaint triaged twice within the
    # batch still opens one case.
    statements: list[str] = []
    event.listen(
        runtime.engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: statements.append(statement),
    )
    complaints = [submitted() for _ in range(5)]
    decisions = [triaged(complaint_id=c.complaint_id) for c in complaints]
    again = triaged(complaint_id=complaints[0].complaint_id, queue="online")
    kept = [consumer_record(as_intake(intake_codec, c), offset=i) for i, c in enumerate(complaints)]
    opened = [
        consumer_record(triage_codec.encode(d, subject=str(d.complaint_id)), offset=i)
        for i, d in enumerate([*decisions, again])
    ]
    delivery = await deliver_polls(runtime, CASEWORK, [kept, opened])
    assert not delivery.refused
    assert not [s for s in statements if s.startswith("SAVEPOINT")]
    assert await _count(runtime, Case) == 5
    async with runtime.sessions() as session:
        words = (await session.exec(select(ComplaintRecord))).all()
        said = {
            await runtime.fields.open(session, w.complaint_id, "narrative", w.narrative)
            for w in words
        }
    assert said == {c.narrative for c in complaints}
