"""What the child said reaches casework sealed, whichever of submission and triage comes first,
and a case opens exactly once; later words and a withdrawal follow it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlmodel import select

from services.casework.db import Case, ChildWords, ComplaintRecord, Deadline, TimelineEntry
from services.casework.settings import CaseworkSettings
from shared.bus.outbox import OutboxMessage
from shared.events.codec import EventCodec
from shared.events.contracts import CaseStepChanged, ComplaintSubmitted
from shared.runtime import Runtime
from tests.support.events import MARKER
from tests.support.intake_events import (
    as_intake,
    information,
    message_from_child,
    submitted,
    withdrawn,
)
from tests.unit.casework.support import deliver, deliver_record, triaged


async def _all(runtime: Runtime, model: type) -> list:  # type: ignore[type-arg]
    async with runtime.sessions() as session:
        return list((await session.exec(select(model))).all())


async def _both(
    runtime: Runtime, intake: EventCodec, triage: EventCodec, *, triage_first: bool
) -> ComplaintSubmitted:
    sub = submitted()
    records = [
        as_intake(intake, sub),
        triage.encode(triaged(complaint_id=sub.complaint_id), subject=str(sub.complaint_id)),
    ]
    for record in reversed(records) if triage_first else records:
        assert await deliver_record(runtime, record)
    return sub


async def test_submission_then_triage_opens_one_case_with_the_childs_words(
    runtime: Runtime, intake_codec: EventCodec, triage_codec: EventCodec
) -> None:
    sub = await _both(runtime, intake_codec, triage_codec, triage_first=False)
    [case] = await _all(runtime, Case)
    [record] = await _all(runtime, ComplaintRecord)
    assert case.complaint_id == record.complaint_id == sub.complaint_id
    async with runtime.sessions() as session:
        text = await runtime.fields.open(session, sub.complaint_id, "narrative", record.narrative)
    assert text == sub.narrative


async def test_triage_then_submission_opens_the_same_one_case(
    runtime: Runtime, intake_codec: EventCodec, triage_codec: EventCodec
) -> None:
    sub = await _both(runtime, intake_codec, triage_codec, triage_first=True)
    assert [c.complaint_id for c in await _all(runtime, Case)] == [sub.complaint_id]
    assert len(await _all(runtime, ComplaintRecord)) == 1
    [clock] = await _all(runtime, Deadline)
    assert clock.kind == "acknowledge"
    assert [e.action for e in await _all(runtime, TimelineEntry)] == ["open"]


async def test_the_childs_words_are_in_no_database_file_in_the_clear(
    runtime: Runtime,
    intake_codec: EventCodec,
    triage_codec: EventCodec,
    settings: CaseworkSettings,
) -> None:
    sub = await _both(runtime, intake_codec, triage_codec, triage_first=False)
    assert await deliver_record(
        runtime, as_intake(intake_codec, information(sub.complaint_id, f"more {MARKER}"))
    )
    assert await deliver_record(
        runtime, as_intake(intake_codec, message_from_child(sub.complaint_id, f"hi {MARKER}"))
    )
    await runtime.engine.dispose()
    path = Path(settings.database_url.removeprefix("sqlite:///"))
    for file in path.parent.glob(path.name + "*"):
        assert MARKER.encode() not in file.read_bytes(), file.name
    with sqlite3.connect(path) as db:
        assert db.execute("select count(*) from casework_child_words").fetchone() == (2,)


async def test_a_message_delivered_twice_under_two_event_ids_is_kept_once(
    runtime: Runtime, intake_codec: EventCodec
) -> None:
    sub = submitted()
    message = message_from_child(sub.complaint_id, "hello")
    for _ in range(2):  # intake re-sent it: a new event id, the same message id
        assert await deliver_record(runtime, as_intake(intake_codec, message))
    assert len(await _all(runtime, ChildWords)) == 1


async def test_withdrawal_ends_the_case_and_tells_the_child(
    runtime: Runtime, intake_codec: EventCodec, triage_codec: EventCodec
) -> None:
    sub = await _both(runtime, intake_codec, triage_codec, triage_first=False)
    assert await deliver_record(runtime, as_intake(intake_codec, withdrawn(sub.complaint_id)))
    [case] = await _all(runtime, Case)
    assert (case.status, case.version) == ("withdrawn", 2)
    assert all(d.cleared_at is not None for d in await _all(runtime, Deadline))
    outbox = [o for o in await _all(runtime, OutboxMessage) if o.topic == "cases"]
    changed = [_decode(runtime, o) for o in outbox][-1]
    assert isinstance(changed, CaseStepChanged)
    assert (changed.previous_step, changed.step) == ("received", "withdrawn")
    assert "withdrawn" in (changed.explanation or "")


async def test_withdrawal_before_triage_opens_the_case_already_withdrawn(
    runtime: Runtime, intake_codec: EventCodec, triage_codec: EventCodec
) -> None:
    sub = submitted()
    assert await deliver_record(runtime, as_intake(intake_codec, sub))
    assert await deliver_record(runtime, as_intake(intake_codec, withdrawn(sub.complaint_id)))
    assert await deliver(runtime, triage_codec, triaged(complaint_id=sub.complaint_id))
    [case] = await _all(runtime, Case)
    assert case.status == "withdrawn"


def _decode(runtime: Runtime, row: OutboxMessage) -> object:
    return runtime.codec.decode(row.topic, row.key, row.to_record().headers, row.value).data
