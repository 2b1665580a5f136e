"""Case milestones reach the oversight statistics through audit's real consumer, on real
Kafka and PostgreSQL: logged like every record, opened (only `statistics` is), kept, and
derived into times and counts with no count below 5 shown; pattern alerts counted off the log.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from services.audit.app import create_app
from services.audit.bootstrap import SERVICE as AUDIT
from services.audit.db import AuditLogEntry
from services.audit.settings import AuditSettings
from services.audit.statistics_db import MilestoneRow
from shared.auth import load_issuer
from shared.bus.topics import TopicNamespace, ensure_topics
from shared.crypto.keyring import FileKeyring
from shared.db.migrations import upgrade
from shared.events.codec import EventCodec
from shared.events.contracts import CaseMilestone, SystemicPatternDetected
from shared.events.contracts.casework import Elapsed
from shared.ids import new_id
from shared.runner import run_consumer
from shared.runtime import Runtime, open_runtime
from tests.support.apps import app_client
from tests.support.kafka_io import produce, wait_for

pytestmark = pytest.mark.integration

BANDS: list[tuple[Elapsed, str, int]] = [
    ("under_1_hour", "north", 5),
    ("1_24_hours", "north", 6),
    ("1_7_days", "south", 2),
]


@pytest.fixture
async def consuming(
    kafka_bootstrap: str, database_url: str, keyring_path: Path
) -> AsyncIterator[tuple[AuditSettings, TopicNamespace, Runtime]]:
    """Audit's real consumer as a task, on PostgreSQL and its own topic prefix."""
    namespace = TopicNamespace(f"t{new_id().hex[-10:]}.")
    await ensure_topics(kafka_bootstrap, namespace=namespace)
    settings = AuditSettings(
        database_url=database_url,
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        HEARD_TOPIC_PREFIX=namespace.prefix,
        HEARD_KEYRING=keyring_path,
    )
    upgrade(database_url, AUDIT.migrations)
    stop = asyncio.Event()
    async with open_runtime("audit", settings) as runtime:
        task = asyncio.create_task(run_consumer(AUDIT, runtime, stop))
        try:
            yield settings, namespace, runtime
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=30)


def _milestone(elapsed: Elapsed, region: str) -> CaseMilestone:
    return CaseMilestone(
        milestone_id=new_id(),
        period="2026-10",
        milestone="acknowledged",
        elapsed=elapsed,
        region=region,
        category="violence",
        urgency="urgent",
    )


def _alert() -> SystemicPatternDetected:
    return SystemicPatternDetected(
        pattern_id=new_id(),
        subject_hash="ab" * 16,
        complaints=[uuid.uuid4(), uuid.uuid4(), uuid.uuid4()],
        window_days=30,
        threshold=3,
        detected_at=datetime.now(UTC),
    )


async def _count(runtime: Runtime, table: type[MilestoneRow] | type[AuditLogEntry]) -> int:
    async with runtime.sessions() as session:
        return int((await session.exec(select(sa.func.count()).select_from(table))).one())


async def test_milestones_are_logged_kept_and_derived_without_small_cells(
    consuming: tuple[AuditSettings, TopicNamespace, Runtime],
    kafka_bootstrap: str,
    keyring_path: Path,
) -> None:
    settings, namespace, runtime = consuming
    keyring = FileKeyring.load(keyring_path)
    casework, triage = EventCodec(keyring, "casework"), EventCodec(keyring, "triage")
    reached = [_milestone(band, region) for band, region, n in BANDS for _ in range(n)]
    records = [casework.encode(m, subject=str(m.milestone_id)) for m in reached]
    await produce(kafka_bootstrap, namespace.physical("statistics"), records)
    alert = _alert()
    await produce(
        kafka_bootstrap,
        namespace.physical("triage"),
        [triage.encode(alert, subject=str(alert.pattern_id))],
    )

    async def all_in() -> bool:
        return await _count(runtime, AuditLogEntry) == 14

    await wait_for(all_in, within=60)
    assert await _count(runtime, MilestoneRow) == 13
    cookie = {"Cookie": f"heard_staff={load_issuer(keyring_path.parent).issue('ada', {'auditor'})}"}
    async with app_client(create_app(settings, integrate=False)) as client:
        answer = await client.get("/console/statistics.json", headers=cookie)
    tables = {t["dimension"]: t for t in answer.json()["tables"]}
    acknowledged = tables["time_to_acknowledge"]
    assert acknowledged["total"] == 13
    assert set(acknowledged["cells"]) == {"under_1_hour", "1_24_hours", "1_7_days"}
    assert acknowledged["cells"]["1_7_days"] is None
    assert tables.pop("systemic_pattern_alerts")["cells"] == {"alerts": 1}  # not children
    shown = [n for t in tables.values() for n in [*t["cells"].values(), t["total"]]]
    assert not [n for n in shown if n is not None and 0 < n < 5]
