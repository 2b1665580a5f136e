"""Casework's `CaseOpened` moves the child's status once, through intake's real consumer
loop (Kafka faked out): redeliveries, a second case and unknown complaints change nothing."""

from __future__ import annotations

import logging
import uuid

import httpx
import pytest
from sqlalchemy import event

from services.intake.db import ComplaintStatus
from services.intake.settings import IntakeSettings
from shared.bus.inbox import InboxEntry
from shared.crypto.keyring import FileKeyring
from shared.ids import new_id
from shared.runtime import Runtime
from tests.unit.intake.support import MINIMAL, case_opened, consume, rows


async def _complaint_id(client: httpx.AsyncClient) -> uuid.UUID:
    answer = (await client.post("/api/v1/complaints", json=MINIMAL)).json()
    return uuid.UUID(answer["complaint_id"])


async def test_case_opened_is_applied_once(
    client: httpx.AsyncClient, runtime: Runtime, settings: IntakeSettings, keyring: FileKeyring
) -> None:
    complaint_id = await _complaint_id(client)
    record = case_opened(keyring, complaint_id, offset=7)
    refused = await consume(runtime, [record])
    (status,) = await rows(runtime, ComplaintStatus)
    assert (status.status, status.case_opened_at is not None) == ("case_opened", True)
    first = (status.case_id, status.updated_at)
    # A crash before the offset commit replays the record; the relay may republish it later.
    replayed = await consume(runtime, [record, case_opened(keyring, complaint_id)])
    (again,) = await rows(runtime, ComplaintStatus)
    assert (again.case_id, again.updated_at) == first
    assert not refused.refused
    assert not replayed.refused
    assert len(await rows(runtime, InboxEntry)) == 2


async def test_an_unknown_complaint_is_logged_by_id_and_dropped(
    runtime: Runtime,
    settings: IntakeSettings,
    keyring: FileKeyring,
    caplog: pytest.LogCaptureFixture,
) -> None:
    stranger = new_id()
    with caplog.at_level(logging.WARNING, logger="heard.intake"):
        refused = await consume(runtime, [case_opened(keyring, stranger)])
    assert not refused.refused
    assert await rows(runtime, ComplaintStatus) == []
    assert len(await rows(runtime, InboxEntry)) == 1
    (warning,) = [r for r in caplog.records if r.name == "heard.intake"]
    assert warning.__dict__["complaint_id"] == str(stranger)


async def test_a_poll_of_case_events_reads_the_statuses_once(
    client: httpx.AsyncClient, runtime: Runtime, keyring: FileKeyring
) -> None:
    complaints = [await _complaint_id(client) for _ in range(4)]
    statements: list[str] = []
    event.listen(
        runtime.engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: statements.append(statement),
    )
    records = [case_opened(keyring, c, offset=i) for i, c in enumerate(complaints)]
    assert not (await consume(runtime, records)).refused
    reads = [s for s in statements if s.startswith("SELECT") and "FROM intake_status" in s]
    assert len(reads) == 1
    assert {s.status for s in await rows(runtime, ComplaintStatus)} == {"case_opened"}
