"""The clocks' scheduler: a breached deadline fires once (across restarts and racing
schedulers); P1 cases page the on-call staff by real e-mail until someone acknowledges."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from services.casework.db import Deadline, Page
from services.casework.paging import (
    EmailNotifier,
    FileNotifier,
    PageNotice,
    SmsNotifier,
    WebhookNotifier,
)
from services.casework.scheduler import _breach, fire_breaches, run_scheduler, send_pages
from services.casework.settings import CaseworkSettings
from shared.auth import TokenIssuer
from shared.bus.outbox import OutboxMessage
from shared.clock import utcnow
from shared.crypto.keyring import FileKeyring
from shared.events.codec import EventCodec
from shared.events.contracts import DeadlineBreached
from shared.runtime import Runtime, open_runtime
from tests.support.events import MARKER
from tests.unit.casework.support import deliver, tools, triaged

REPAGE = timedelta(minutes=10)


class Inbox:
    """An SMTP handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd connects to its port to see it ready: not 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def _breached(runtime: Runtime) -> list[DeadlineBreached]:
    async with runtime.sessions() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    events = [runtime.codec.decode(r.topic, r.key, r.to_record().headers, r.value) for r in rows]
    return [e.data for e in events if isinstance(e.data, DeadlineBreached)]


async def test_a_breached_deadline_fires_once_even_after_a_restart(
    runtime: Runtime, triage_codec: EventCodec, settings: CaseworkSettings, keyring: Any
) -> None:
    late = triaged(respond_in=timedelta(hours=-1))
    assert await deliver(runtime, triage_codec, late)
    now = utcnow()
    assert await fire_breaches(runtime, tools(runtime), now) == 1
    assert await fire_breaches(runtime, tools(runtime), now + timedelta(hours=1)) == 0
    async with open_runtime("casework", settings, keyring) as restarted:
        assert await fire_breaches(restarted, tools(restarted), now + timedelta(days=1)) == 0
    [event] = await _breached(runtime)
    assert (event.kind, event.complaint_id, event.escalated_to) == (
        "acknowledge",
        late.complaint_id,
        "supervisor",
    )


async def test_racing_schedulers_fire_each_deadline_once(
    runtime: Runtime, triage_codec: EventCodec
) -> None:
    for _ in range(3):
        assert await deliver(runtime, triage_codec, triaged(respond_in=timedelta(minutes=-5)))
    now = utcnow()
    fired = await asyncio.gather(*(fire_breaches(runtime, tools(runtime), now) for _ in range(3)))
    assert sum(fired) == 3
    assert len(await _breached(runtime)) == 3


async def test_a_scheduler_holding_a_stale_copy_of_a_deadline_does_not_fire_it_again(
    runtime: Runtime, triage_codec: EventCodec
) -> None:
    assert await deliver(runtime, triage_codec, triaged(respond_in=timedelta(minutes=-5)))
    async with runtime.sessions() as session:
        stale = (await session.exec(select(Deadline))).one()  # read by two schedulers at once
    fired = []
    for _ in range(2):
        async with runtime.uow() as uow:
            fired.append(await _breach(uow, tools(runtime), stale, utcnow()))
            await uow.commit()
    assert fired == [True, False]
    assert len(await _breached(runtime)) == 1


async def test_a_deadline_not_yet_due_or_already_met_does_not_fire(
    runtime: Runtime, triage_codec: EventCodec
) -> None:
    assert await deliver(runtime, triage_codec, triaged(respond_in=timedelta(hours=1)))
    assert await fire_breaches(runtime, tools(runtime), utcnow()) == 0
    async with runtime.sessions() as session:
        deadline = (await session.exec(select(Deadline))).one()
        deadline.cleared_at = utcnow()
        session.add(deadline)
        await session.commit()
    assert await fire_breaches(runtime, tools(runtime), utcnow() + timedelta(days=9)) == 0


async def test_a_p1_case_pages_by_email_until_acknowledged(
    runtime: Runtime,
    triage_codec: EventCodec,
    smtp: tuple[Inbox, int],
    client: httpx.AsyncClient,
    issuer: TokenIssuer,
) -> None:
    inbox, port = smtp
    pager = EmailNotifier("127.0.0.1", port, "heard@test", ("oncall@test",))
    assert await deliver(runtime, triage_codec, triaged(priority=1))
    now = utcnow()
    assert await send_pages(runtime, pager, now, REPAGE) == 1
    assert await send_pages(runtime, pager, now + timedelta(minutes=1), REPAGE) == 0
    assert await send_pages(runtime, pager, now + REPAGE, REPAGE) == 1  # nobody took it
    first, second = (message_from_bytes(m) for m in inbox.messages)
    assert first["To"] == "oncall@test"
    assert "attempt 2" in second.get_payload()
    assert all(MARKER.encode() not in m for m in inbox.messages)

    staff = {"Authorization": f"Bearer {issuer.issue('ana', {'caseworker'})}"}
    [waiting] = (await client.get("/api/v1/pages", headers=staff)).json()
    taken = await client.post(f"/api/v1/pages/{waiting['page_id']}/acknowledgement", headers=staff)
    assert taken.status_code == 200
    assert await send_pages(runtime, pager, now + 5 * REPAGE, REPAGE) == 0
    assert (await client.get("/api/v1/pages", headers=staff)).json() == []
    assert len(inbox.messages) == 2


async def test_an_undeliverable_page_is_retried_on_the_next_sweep(
    runtime: Runtime, triage_codec: EventCodec, smtp: tuple[Inbox, int]
) -> None:
    _inbox, port = smtp
    assert await deliver(runtime, triage_codec, triaged(priority=1))
    closed_port = EmailNotifier("127.0.0.1", 1, "heard@test", ("oncall@test",))
    assert await send_pages(runtime, closed_port, utcnow(), REPAGE) == 0
    working = EmailNotifier("127.0.0.1", port, "heard@test", ("oncall@test",))
    assert await send_pages(runtime, working, utcnow(), REPAGE) == 1
    async with runtime.sessions() as session:
        assert (await session.exec(select(Page))).one().sent_count == 1


async def test_a_lower_priority_case_pages_nobody(
    runtime: Runtime, triage_codec: EventCodec, tmp_path: Path
) -> None:
    assert await deliver(runtime, triage_codec, triaged(priority=3))
    assert await send_pages(runtime, FileNotifier(tmp_path / "p"), utcnow(), REPAGE) == 0


async def test_the_file_pager_appends_one_line_per_page(tmp_path: Path) -> None:
    pager = FileNotifier(tmp_path / "pages.jsonl")
    for attempt in (1, 2):
        await pager.send(PageNotice("p", "c", 1, "new P1 case", attempt))
    lines = (tmp_path / "pages.jsonl").read_text().splitlines()
    assert len(lines) == 2
    assert '"attempt": 2' in lines[1]


async def test_acknowledging_an_unknown_page_is_404(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    staff = {"Authorization": f"Bearer {issuer.issue('ana', {'supervisor'})}"}
    answer = await client.post(
        f"/api/v1/pages/{MARKER[:0]}0190f0f0-0000-7000-8000-000000000000/acknowledgement",
        headers=staff,
    )
    assert answer.status_code == 404


async def test_the_webhook_pager_posts_json_and_fails_loudly_on_an_error_answer() -> None:
    received: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        received.append(json.loads(request.content))
        return httpx.Response(200 if len(received) == 1 else 503)

    pager = WebhookNotifier("http://pager.test/hook", transport=httpx.MockTransport(answer))
    await pager.send(PageNotice("p", "c", 1, "new P1 case", 1))
    assert received[0]["case_id"] == "c"
    with pytest.raises(httpx.HTTPStatusError):
        await pager.send(PageNotice("p", "c", 1, "new P1 case", 2))


async def test_the_sms_pager_texts_every_on_call_number_briefly_and_fails_loudly() -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        received.append((request.headers.get("authorization"), json.loads(request.content)))
        return httpx.Response(202 if len(received) <= 2 else 500)

    settings = CaseworkSettings(
        pager="sms",
        pager_sms_url="http://sms.test/send",
        pager_sms_to="+15550001, +15550002",
        pager_sms_token="gateway-secret",
    )
    chosen = settings.notifier()
    assert isinstance(chosen, SmsNotifier)
    pager = dataclasses.replace(chosen, transport=httpx.MockTransport(gateway))
    notice = PageNotice("0190f0f0-aaaa", "0190f0f0-cccc-7000", 1, "new P1 case", 1)
    await pager.send(notice)
    assert [body["to"] for _, body in received] == ["+15550001", "+15550002"]
    assert all(auth == "Bearer gateway-secret" for auth, _ in received)
    assert all(len(body["text"]) <= 160 and "0190f0f0" in body["text"] for _, body in received)
    with pytest.raises(httpx.HTTPStatusError):
        await pager.send(notice)


async def test_the_scheduler_waits_out_a_database_that_is_away(
    tmp_path: Path, keyring: FileKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    # A database that cannot be reached (here: a file in a folder that does not exist) is an
    # outage to wait out, not a reason for the casework process to exit.
    away = CaseworkSettings(
        database_url=f"sqlite:///{tmp_path / 'missing' / 'casework.db'}",
        scheduler_interval_seconds=0.05,
        pager_file=tmp_path / "pages.jsonl",
    )
    stop = asyncio.Event()
    async with open_runtime("casework", away, keyring) as runtime:
        running = asyncio.create_task(run_scheduler(runtime, away, stop))
        await asyncio.sleep(0.3)
        assert not running.done()
        stop.set()
        await running
    assert "scheduler sweep failed (OperationalError)" in caplog.text
