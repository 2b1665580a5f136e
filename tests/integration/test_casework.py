"""Casework on real Kafka and PostgreSQL: intake's and triage's events in either order make
exactly one case each, the child's words are sealed in PostgreSQL, and a step taken through
the API reaches the `cases` topic (with the access it logged) through the relay."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from services.audit.bootstrap import SERVICE as AUDIT
from services.audit.db import AuditLogEntry
from services.audit.settings import AuditSettings
from services.casework.app import create_app
from services.casework.bootstrap import SERVICE as SPEC
from services.casework.db import Case, ComplaintRecord
from services.casework.settings import CaseworkSettings
from shared.auth import ensure_issuer_files, load_issuer
from shared.bus.topics import TopicNamespace, ensure_topics
from shared.crypto.keyring import FileKeyring, init_keyring_file
from shared.db.migrations import upgrade
from shared.events.codec import EventCodec
from shared.events.contracts import CaseAccessed, CaseAssigned, CaseStepChanged
from shared.ids import new_id
from shared.runner import run_consumer, run_relay
from shared.runtime import Runtime, open_runtime
from tests.support.apps import app_client
from tests.support.events import MARKER
from tests.support.intake_events import as_intake, submitted
from tests.support.kafka_io import produce, read_all, wait_for
from tests.unit.casework.support import deliver, triaged

pytestmark = pytest.mark.integration


@pytest.fixture
async def casework(
    kafka_bootstrap: str, database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[CaseworkSettings, Runtime, TopicNamespace]]:
    keys = tmp_path / "keyring.json"
    init_keyring_file(keys)
    ensure_issuer_files(tmp_path)
    names = TopicNamespace(f"c{new_id().hex[-10:]}.")
    await ensure_topics(kafka_bootstrap, namespace=names)
    settings = CaseworkSettings(
        database_url=database_url,
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        HEARD_TOPIC_PREFIX=names.prefix,
        HEARD_KEYRING=str(keys),
        run_scheduler=False,
    )
    upgrade(database_url, SPEC.migrations)
    stop = asyncio.Event()
    async with open_runtime("casework", settings) as runtime:
        running = [
            asyncio.create_task(run_consumer(SPEC, runtime, stop)),
            asyncio.create_task(run_relay(SPEC, runtime, stop)),
        ]
        try:
            yield settings, runtime, names
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*running), timeout=30)


async def _count(runtime: Runtime, model: Any) -> int:
    async with runtime.sessions() as session:
        return len((await session.exec(select(model))).all())


async def test_either_order_one_case_each_sealed_and_steps_reach_the_topic(
    casework: tuple[CaseworkSettings, Runtime, TopicNamespace], kafka_bootstrap: str
) -> None:
    settings, runtime, names = casework
    keyring = FileKeyring.load(settings.keyring_path)
    intake, triage = EventCodec(keyring, "intake"), EventCodec(keyring, "triage")
    first, second = submitted(), submitted()
    sub_records = [as_intake(intake, first), as_intake(intake, second)]
    tri = [
        triage.encode(triaged(complaint_id=c.complaint_id, priority=1), subject=str(c.complaint_id))
        for c in (first, second)
    ]
    await produce(kafka_bootstrap, names.physical("complaints"), [sub_records[0]])
    await produce(kafka_bootstrap, names.physical("triage"), tri)  # second: triage first
    await produce(kafka_bootstrap, names.physical("complaints"), sub_records + sub_records)

    async def settled() -> bool:
        return await _count(runtime, Case) == 2 and await _count(runtime, ComplaintRecord) == 2

    await wait_for(settled, within=60)
    await asyncio.sleep(2)  # the repeated records are applied by now, or never
    assert (await _count(runtime, Case), await _count(runtime, ComplaintRecord)) == (2, 2)
    async with runtime.sessions() as session:
        stored = (await session.exec(select(ComplaintRecord.narrative))).all()
    assert all(MARKER.encode() not in bytes(sealed) for sealed in stored)

    async with runtime.sessions() as session:
        case = (
            await session.exec(select(Case).where(Case.complaint_id == first.complaint_id))
        ).one()
    token = load_issuer(settings.keyring_path.parent).issue("sam", {"supervisor"})
    staff = {"Authorization": f"Bearer {token}"}
    async with app_client(create_app(settings)) as client:
        moved = await client.post(
            f"/api/v1/cases/{case.case_id}/steps",
            json={"action": "acknowledge", "version": 1},
            headers=staff,
        )
        assert moved.status_code == 200, moved.text
        words = await client.get(
            f"/api/v1/cases/{case.case_id}/words", params={"reason": "check"}, headers=staff
        )
        assert MARKER in words.json()[0]["text"]

    async def published() -> list[Any]:
        records = await read_all(kafka_bootstrap, names.physical("cases"))
        return [runtime.codec.decode("cases", r.key, r.headers, r.value).data for r in records]

    async def both() -> bool:
        kinds = {type(e) for e in await published()}
        return {CaseStepChanged, CaseAccessed} <= kinds

    await wait_for(both, within=60)
    [changed] = [e for e in await published() if isinstance(e, CaseStepChanged)]
    assert (changed.complaint_id, changed.step) == (first.complaint_id, "acknowledged")


@contextlib.asynccontextmanager
async def _audit_consuming(settings: CaseworkSettings, database_url: str) -> AsyncIterator[Runtime]:
    """Audit's real consumer on the same broker and topics, with a database of its own."""
    audit_settings = AuditSettings(
        database_url=database_url,
        KAFKA_BOOTSTRAP_SERVERS=settings.kafka_bootstrap_servers,
        HEARD_TOPIC_PREFIX=settings.topic_prefix,
        HEARD_KEYRING=str(settings.keyring_path),
    )
    upgrade(database_url, AUDIT.migrations)
    stop = asyncio.Event()
    async with open_runtime("audit", audit_settings) as runtime:
        running = asyncio.create_task(run_consumer(AUDIT, runtime, stop))
        try:
            yield runtime
        finally:
            stop.set()
            await asyncio.wait_for(running, timeout=30)


async def test_an_assignment_reaches_the_audit_log_through_the_outbox_and_kafka(
    casework: tuple[CaseworkSettings, Runtime, TopicNamespace],
    kafka_bootstrap: str,
    make_database_url: Callable[[], str],
) -> None:
    settings, runtime, names = casework
    keyring = FileKeyring.load(settings.keyring_path)
    decision = triaged(priority=2)
    assert await deliver(runtime, EventCodec(keyring, "triage"), decision)
    async with runtime.sessions() as session:
        case = (await session.exec(select(Case))).one()
    sam = load_issuer(settings.keyring_path.parent).issue("sam", {"supervisor"})
    async with _audit_consuming(settings, make_database_url()) as audit:
        async with app_client(create_app(settings)) as client:
            moved = await client.post(
                f"/api/v1/cases/{case.case_id}/assignment",
                json={"version": 1, "to": "ana"},
                headers={"Authorization": f"Bearer {sam}"},
            )
            assert moved.status_code == 200, moved.text

        async def logged() -> list[AuditLogEntry]:
            async with audit.sessions() as session:
                query = select(AuditLogEntry).where(AuditLogEntry.type == CaseAssigned.type_name)
                return list((await session.exec(query)).all())

        await wait_for(lambda: _any(logged()), within=60)
        [entry] = await logged()
    assert entry.subject == str(decision.complaint_id)
    records = await read_all(kafka_bootstrap, names.physical("cases"))
    events = [runtime.codec.decode("cases", r.key, r.headers, r.value).data for r in records]
    [assigned] = [e for e in events if isinstance(e, CaseAssigned)]
    assert (assigned.assignee, assigned.previous_assignee, assigned.assigned_by) == (
        "ana",
        None,
        "sam",
    )


async def _any(found: Awaitable[list[Any]]) -> bool:
    return bool(await found)


async def test_the_queue_lists_overdue_cases_first_on_postgresql(
    casework: tuple[CaseworkSettings, Runtime, TopicNamespace],
) -> None:
    settings, runtime, _ = casework
    codec = EventCodec(FileKeyring.load(settings.keyring_path), "triage")
    calm = triaged(priority=1, respond_in=timedelta(hours=40))
    late = triaged(priority=3, respond_in=-timedelta(hours=1))
    later = triaged(priority=2, respond_in=-timedelta(minutes=5))
    for decision in (calm, late, later):
        assert await deliver(runtime, codec, decision)
    token = load_issuer(settings.keyring_path.parent).issue("ana", {"caseworker"})
    async with app_client(create_app(settings)) as client:
        pages, params = [], {"limit": 2}
        while True:
            answer = await client.get(
                "/api/v1/queues/protection",
                params=params,
                headers={"Authorization": f"Bearer {token}"},
            )
            assert answer.status_code == 200, answer.text
            pages += answer.json()["items"]
            if answer.json()["next_cursor"] is None:
                break
            params["cursor"] = answer.json()["next_cursor"]
    assert [p["complaint_id"] for p in pages] == [
        str(later.complaint_id),
        str(late.complaint_id),
        str(calm.complaint_id),
    ]
    assert [p["overdue"] for p in pages] == [True, True, False]
