"""Following up with the receipt code: casework's steps and messages (through intake's real
consumer loop) shown in plain words, and each thing the child does is one event."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from shared.bus.outbox import OutboxMessage
from shared.crypto.keyring import FileKeyring
from shared.events.codec import EventCodec
from shared.events.contracts import (
    ComplaintWithdrawn,
    EventData,
    FeedbackGiven,
    InformationAdded,
    MessageFromChild,
)
from shared.runtime import Runtime
from tests.support.apps import app_client
from tests.unit.intake.portal_client import Visitor, hidden, receipt_code
from tests.unit.intake.support import (
    consume,
    from_casework,
    message_to_child,
    rows,
    step_changed,
)


async def _complaint(visitor: Visitor, runtime: Runtime, lang: str = "en") -> tuple[str, uuid.UUID]:
    code = receipt_code((await visitor.submit(lang, narrative="he hits me")).text)
    (row,) = await rows(runtime, OutboxMessage)
    return code, uuid.UUID(row.key.decode())


def _emitted(rows_: list[OutboxMessage], keyring: FileKeyring) -> list[EventData]:
    reader = EventCodec(keyring, "casework")
    opened = []
    for row in rows_:
        record = row.to_record()
        opened.append(reader.decode(record.topic, record.key, record.headers, record.value).data)
    return opened


@pytest.fixture
def visitor(client: httpx.AsyncClient) -> Visitor:
    return Visitor(client)


async def test_steps_and_messages_from_casework_show_in_plain_words(
    visitor: Visitor, runtime: Runtime, settings: IntakeSettings, keyring: FileKeyring
) -> None:
    code, cid = await _complaint(visitor, runtime, "fr")
    records = [
        from_casework(keyring, step_changed(cid, "admissibility_review", "On vérifie."), 1),
        from_casework(keyring, message_to_child(cid, "Peux-tu nous dire où ?"), 2),
        from_casework(keyring, step_changed(cid, "received"), 3),  # late news never goes back
    ]
    refused = await consume(runtime, records)
    assert not refused.refused
    page = (await visitor.follow_up(code, "fr")).text
    assert "Nous vérifions si nous sommes les bonnes personnes" in page
    assert "On vérifie." in page
    assert "Peux-tu nous dire où ?" in page
    assert "Nous avons besoin de plus d" in page


async def test_reply_add_and_withdraw_are_one_event_each(
    visitor: Visitor, runtime: Runtime, keyring: FileKeyring
) -> None:
    code, _ = await _complaint(visitor, runtime)
    assert (await visitor.follow_up(code, action="reply", text="it is my uncle")).status_code == 200
    assert (await visitor.follow_up(code, action="add", text="also yesterday")).status_code == 200
    explained = await visitor.follow_up(code, action="withdraw")
    assert "Do you want to stop your complaint?" in explained.text
    assert len(await rows(runtime, OutboxMessage)) == 3  # explaining withdraws nothing
    assert (await visitor.follow_up(code, action="withdraw/confirm")).status_code == 200
    events = _emitted((await rows(runtime, OutboxMessage))[1:], keyring)
    assert [type(e) for e in events] == [MessageFromChild, InformationAdded, ComplaintWithdrawn]
    assert events[0].body == "it is my uncle"  # type: ignore[attr-defined]
    page = (await visitor.follow_up(code)).text
    assert "You stopped your complaint." in page
    assert "it is my uncle" in page
    late = await visitor.follow_up(code, action="reply", text="one more")
    assert late.status_code == 409
    assert "finished or stopped" in late.text


async def test_feedback_after_closing_is_pseudonymous_and_given_once(
    visitor: Visitor, runtime: Runtime, settings: IntakeSettings, keyring: FileKeyring
) -> None:
    code, cid = await _complaint(visitor, runtime)
    early = await visitor.follow_up(code, action="feedback", felt_heard="yes")
    assert early.status_code == 409
    await consume(runtime, [from_casework(keyring, step_changed(cid, "closed"), 1)])
    page = (await visitor.follow_up(code)).text
    assert "Did you feel we listened to you?" in page
    second = await visitor.follow_up(code, action="feedback/next", felt_heard="yes")
    assert "Did we help you?" in second.text
    assert hidden(second.text, "felt_heard") == "yes"
    await visitor.follow_up(code, action="feedback", felt_heard="yes", helped="somewhat")
    await visitor.follow_up(code, action="feedback", felt_heard="no", helped="no")
    outbox = await rows(runtime, OutboxMessage)
    (feedback,) = [r for r in outbox if r.topic == "statistics"]
    assert str(cid) not in feedback.key.decode()
    (event,) = _emitted([feedback], keyring)
    assert isinstance(event, FeedbackGiven)
    assert (event.felt_heard, event.helped, event.language) == ("yes", "somewhat", "en")
    assert "Did you feel we listened to you?" not in (await visitor.follow_up(code)).text


@pytest.mark.parametrize("code", ["0000-0000-0000-0000-0000", "not a code", "", "<b>x</b>" * 20])
async def test_a_wrong_code_gets_the_same_clear_answer(visitor: Visitor, code: str) -> None:
    response = await visitor.follow_up(code, "ru")
    assert response.status_code == 404
    assert "Мы не знаем такой код" in response.text
    assert "<b>x" not in response.text


async def test_wrong_codes_are_rate_limited_without_keeping_the_address(
    visitor: Visitor, client: httpx.AsyncClient
) -> None:
    statuses = [(await visitor.follow_up("0" * 20)).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    buckets = client._transport.app.state.lookups._buckets  # type: ignore[attr-defined]
    assert all("127.0.0.1" not in key and len(key) == 64 for key in buckets)


async def test_a_wrong_code_takes_as_long_as_a_right_one(
    settings: IntakeSettings, runtime: Runtime
) -> None:
    floor = settings.model_copy(update={"lookup_floor_seconds": 0.3})
    async with app_client(create_app(floor)) as client:
        visitor = Visitor(client)
        code = receipt_code((await visitor.submit(narrative="x")).text)
        timings = []
        for tried in (code, "0" * 20, code, "1" * 20):
            started = time.monotonic()
            await visitor.follow_up(tried)
            timings.append(time.monotonic() - started)
    assert min(timings) >= 0.3
