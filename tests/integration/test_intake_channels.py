"""Intake on real Kafka and PostgreSQL, its real consumer and relay running: a child's web
complaint, casework's step and message arriving on `cases`, the child's reply and
withdrawal leaving on `complaints`; a phone call and an SMS conversation over the same flow."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from services.intake.bootstrap import SERVICE as INTAKE
from services.intake.settings import IntakeSettings
from services.intake.sms_auth import sign
from shared.auth import ensure_issuer_files, load_issuer
from shared.bus.topics import TopicNamespace, ensure_topics
from shared.crypto.keyring import FileKeyring, init_keyring_file
from shared.db.migrations import upgrade
from shared.events.codec import EventCodec
from shared.events.contracts import EventData
from shared.ids import new_id
from shared.runner import run_consumer, run_relay
from shared.runtime import open_runtime
from tests.support.apps import app_client
from tests.support.kafka_io import produce, read_all, wait_for
from tests.unit.intake.portal_client import Visitor, hidden, receipt_code
from tests.unit.intake.support import message_to_child, step_changed

pytestmark = pytest.mark.integration
SECRET = "sms-provider-secret-for-the-test"


@pytest.fixture
async def intake(
    kafka_bootstrap: str, make_database_url: Callable[[], str], tmp_path: Path
) -> AsyncIterator[tuple[IntakeSettings, str]]:
    """Intake's consumer and relay running on a fresh namespace and database."""
    keys = tmp_path / "keyring.json"
    init_keyring_file(keys)
    ensure_issuer_files(tmp_path)
    prefix = f"i{new_id().hex[-10:]}."
    await ensure_topics(kafka_bootstrap, namespace=TopicNamespace(prefix))
    settings = IntakeSettings(
        database_url=make_database_url(),
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        HEARD_TOPIC_PREFIX=prefix,
        HEARD_KEYRING=str(keys),
        lookup_floor_seconds=0,
        sms_webhook_secret=SecretStr(SECRET),
    )
    upgrade(settings.database_url, INTAKE.migrations)
    stop = asyncio.Event()
    async with AsyncExitStack() as stack:
        runtime = await stack.enter_async_context(open_runtime("intake", settings))
        tasks = [
            asyncio.create_task(run_relay(INTAKE, runtime, stop)),
            asyncio.create_task(run_consumer(INTAKE, runtime, stop)),
        ]
        try:
            yield settings, prefix
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)


async def _complaints_topic(settings: IntakeSettings, prefix: str) -> list[EventData]:
    """What triage would read from `complaints`, opened with triage's keys."""
    reader = EventCodec(FileKeyring.load(settings.keyring_path), "triage")
    records = await read_all(settings.kafka_bootstrap_servers, f"{prefix}complaints")
    return [reader.decode("complaints", r.key, r.headers, r.value).data for r in records]


async def _from_casework(settings: IntakeSettings, prefix: str, events: list[EventData]) -> None:
    codec = EventCodec(FileKeyring.load(settings.keyring_path), "casework")
    records = [codec.encode(e, subject=str(getattr(e, "complaint_id", ""))) for e in events]
    await produce(settings.kafka_bootstrap_servers, f"{prefix}cases", records)


async def test_web_complaint_follow_up_through_kafka(intake: tuple[IntakeSettings, str]) -> None:
    settings, prefix = intake
    async with app_client(INTAKE.create_app(settings)) as client:
        visitor = Visitor(client)
        code = receipt_code((await visitor.submit("ar", narrative="he hits me")).text)

        async def submitted() -> bool:
            return len(await _complaints_topic(settings, prefix)) == 1

        await wait_for(submitted, within=60)
        (event,) = await _complaints_topic(settings, prefix)
        complaint_id: uuid.UUID = event.complaint_id  # type: ignore[attr-defined]
        message = "شكرًا لك. هل أنت بأمان الآن؟"
        await _from_casework(
            settings,
            prefix,
            [step_changed(complaint_id, "acknowledged"), message_to_child(complaint_id, message)],
        )

        async def message_shown() -> bool:
            return message in (await visitor.follow_up(code, "ar")).text

        await wait_for(message_shown, within=60)
        await visitor.follow_up(code, "ar", action="reply", text="نعم")
        await visitor.follow_up(code, "ar", action="withdraw/confirm")

        async def both_sent() -> bool:
            return len(await _complaints_topic(settings, prefix)) == 3

        await wait_for(both_sent, within=60)
    types = [type(e).__name__ for e in await _complaints_topic(settings, prefix)]
    assert types == ["ComplaintSubmitted", "MessageFromChild", "ComplaintWithdrawn"]


async def test_a_phone_call_and_an_sms_conversation_reach_the_complaints_topic(
    intake: tuple[IntakeSettings, str],
) -> None:
    settings, prefix = intake
    token = load_issuer(settings.staff_keys_folder()).issue("omar", {"operator"})
    staff = {"Authorization": f"Bearer {token}"}
    async with app_client(INTAKE.create_app(settings)) as client:
        page = (await client.get("/console/calls", headers=staff)).text
        data = {
            "csrf": hidden(page, "csrf"),
            "form_token": hidden(page, "form_token"),
            "call_type": "child_about_self",
            "narrative": "my father locks me in",
        }
        phone_code = receipt_code(
            (await client.post("/console/calls", headers=staff, data=data)).text
        )
        for text in ("hello", "3", "me pegan en casa", "11"):
            reply = await _sms(client, text)
        sms_code = reply.split("Tu código es ")[1].split(".")[0]
        assert await _sms(client, f"{sms_code} otra vez") == "Enviado. Gracias."
        # One receipt code works across channels: the phone code opens the web follow-up.
        assert "We have your message" in (await Visitor(client).follow_up(phone_code)).text

    async def all_three() -> bool:
        return len(await _complaints_topic(settings, prefix)) == 3

    await wait_for(all_three, within=60)
    events = await _complaints_topic(settings, prefix)
    # Each complaint has its own key, so partitions (and the order read across them) differ.
    channels = sorted((type(e).__name__, getattr(e, "channel", None)) for e in events)
    assert channels == [
        ("ComplaintSubmitted", "phone"),
        ("ComplaintSubmitted", "sms"),
        ("MessageFromChild", "sms"),
    ]
    (call,) = [e for e in events if getattr(e, "channel", None) == "phone"]
    assert getattr(call, "operator_id", None) == "omar"


async def _sms(client: httpx.AsyncClient, text: str) -> str:
    raw = json.dumps(
        {"from": "+34 600 000 000", "text": text, "message_id": str(uuid.uuid4())}
    ).encode()
    stamp = str(int(time.time()))
    headers = {"x-heard-timestamp": stamp, "x-heard-signature": sign(SECRET.encode(), stamp, raw)}
    answer = await client.post("/sms/inbound", content=raw, headers=headers)
    assert answer.status_code == 200, answer.text
    reply: str = answer.json()["reply"]
    return reply
