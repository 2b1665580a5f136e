"""The SMS gateway: signed, fresh, never replayed requests only; a short conversation in
the sender's language that ends with a receipt code; later messages with the code go to
the case worker; the sender's number is stored only sealed."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from services.intake.app import create_app
from services.intake.db import SmsConversation
from services.intake.settings import IntakeSettings
from services.intake.sms_auth import sign
from shared.crypto.keyring import FileKeyring
from shared.events.contracts import ComplaintSubmitted, MessageFromChild
from shared.runtime import Runtime
from tests.support.apps import app_client
from tests.support.events import MARKER
from tests.unit.intake.support import all_outbox_events, outbox_events, rows
from tests.unit.intake.test_privacy import _database_bytes

SECRET = "provider-shared-secret-0123456789"
PHONE = "+44 7700 900123"
URL = "/sms/inbound"


@pytest.fixture
async def sms(settings: IntakeSettings) -> AsyncIterator[httpx.AsyncClient]:
    """Intake with the SMS gateway configured."""
    configured = settings.model_copy(update={"sms_webhook_secret": SecretStr(SECRET)})
    async with app_client(create_app(configured)) as client:
        yield client


def _signed(body: dict[str, Any], at: float | None = None) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    stamp = str(int(at if at is not None else time.time()))
    headers = {
        "x-heard-timestamp": stamp,
        "x-heard-signature": sign(SECRET.encode(), stamp, raw),
        "content-type": "application/json",
    }
    return raw, headers


async def _send(client: httpx.AsyncClient, text: str, sender: str = PHONE) -> str:
    body = {"from": sender, "text": text, "message_id": str(uuid.uuid4())}
    raw, headers = _signed(body)
    response = await client.post(URL, content=raw, headers=headers)
    assert response.status_code == 200, response.text
    reply: str = response.json()["reply"]
    return reply


async def test_a_conversation_in_arabic_ends_with_a_code_and_a_complaint(
    sms: httpx.AsyncClient, runtime: Runtime, keyring: FileKeyring, tmp_path: Path
) -> None:
    assert "العربية" in await _send(sms, "hello")
    assert "ماذا حدث" in await _send(sms, "4")
    assert "كم عمرك" in await _send(sms, f"my teacher hits me {MARKER}")
    done = await _send(sms, "13")
    assert "رمزك هو" in done
    (event,) = await outbox_events(runtime, keyring)
    assert isinstance(event, ComplaintSubmitted)
    assert (event.channel, event.language, event.age_band) == ("sms", "ar", "12_14")
    assert event.narrative == f"my teacher hits me {MARKER}"
    await runtime.engine.dispose()
    stored = _database_bytes(tmp_path)
    assert MARKER.encode() not in stored
    assert PHONE.encode() not in stored
    assert b"7700900123" not in stored


async def test_a_later_message_with_the_code_goes_to_the_case_worker(
    sms: httpx.AsyncClient, runtime: Runtime, keyring: FileKeyring
) -> None:
    for text in ("hi", "1", "they took my phone", "0"):
        reply = await _send(sms, text)
    code = reply.split("Your code is ")[1].split(".")[0]
    assert await _send(sms, f"{code} it happened again today") == "Sent. Thank you."
    assert await _send(sms, f"{code.replace('-', ' ').lower()} and again") == "Sent. Thank you."
    events = [
        e for e in await all_outbox_events(runtime, keyring) if isinstance(e, MessageFromChild)
    ]
    assert [(e.body, e.channel) for e in events] == [
        ("it happened again today", "sms"),
        ("and again", "sms"),
    ]
    (conversation,) = await rows(runtime, SmsConversation)
    assert conversation.step == "done"


async def test_wrong_codes_by_sms_are_limited_per_sender(sms: httpx.AsyncClient) -> None:
    replies = [await _send(sms, "0000-0000-0000-0000-0000 hello") for _ in range(4)]
    assert replies[:3] == ["We do not know this code. Please check it and try again."] * 3
    assert replies[3].startswith("Too many tries")


async def test_unsigned_stale_mis_signed_and_replayed_requests_are_refused(
    sms: httpx.AsyncClient, runtime: Runtime
) -> None:
    raw, headers = _signed({"from": PHONE, "text": "hi"})
    unsigned = {"content-type": "application/json"}
    stale_raw, stale = _signed({"from": PHONE, "text": "hi"}, at=time.time() - 3600)
    forged = {**headers, "x-heard-signature": "0" * 64}
    tampered = raw.replace(b"hi", b"ho")
    answers = [
        await sms.post(URL, content=raw, headers=unsigned),
        await sms.post(URL, content=stale_raw, headers=stale),
        await sms.post(URL, content=raw, headers=forged),
        await sms.post(URL, content=tampered, headers=headers),
        await sms.post(URL, content=raw, headers=headers),
        await sms.post(URL, content=raw, headers=headers),  # the same request again
    ]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 200, 401]
    assert len(await rows(runtime, SmsConversation)) == 1


async def test_the_gateway_is_off_without_a_secret(client: httpx.AsyncClient) -> None:
    raw, headers = _signed({"from": PHONE, "text": "hi"})
    assert (await client.post(URL, content=raw, headers=headers)).status_code == 503


@pytest.mark.parametrize(
    "body",
    [{"from": PHONE}, {"from": "", "text": "x"}, {"from": PHONE, "text": "x" * 5000}, []],
    ids=["no text", "no sender", "too long", "not an object"],
)
async def test_a_malformed_message_gets_422(sms: httpx.AsyncClient, body: Any) -> None:
    raw = json.dumps(body).encode()
    stamp = str(int(time.time()))
    headers = {"x-heard-timestamp": stamp, "x-heard-signature": sign(SECRET.encode(), stamp, raw)}
    assert (await sms.post(URL, content=raw, headers=headers)).status_code == 422
