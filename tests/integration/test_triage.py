"""Triage's consumer and relay on real Kafka and PostgreSQL: complaints about one institution
are triaged (rule set version, hash, rules fired), profiled under fresh ids, and cluster into
one systemic-pattern alert; nothing readable about a child reaches the broker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from services.triage.bootstrap import SERVICE as SPEC
from services.triage.settings import TriageSettings
from shared.bus.topics import TopicNamespace, ensure_topics
from shared.crypto.keyring import FileKeyring, init_keyring_file
from shared.db.migrations import upgrade
from shared.events.codec import EventCodec
from shared.events.contracts import (
    ComplaintProfiled,
    ComplaintSubmitted,
    ComplaintTriaged,
    EventData,
    SystemicPatternDetected,
)
from shared.ids import new_id
from shared.runner import run_consumer, run_relay
from shared.runtime import open_runtime
from tests.support.events import MARKER, submitted
from tests.support.kafka_io import produce, read_all, wait_for

pytestmark = pytest.mark.integration

INSTITUTION = f"Sunrise Children's Home {MARKER}"


@pytest.fixture
async def triage(
    kafka_bootstrap: str, make_database_url: Callable[[], str], tmp_path: Path
) -> AsyncIterator[tuple[TriageSettings, TopicNamespace, FileKeyring]]:
    """Triage's consumer and relay as tasks, on their own database and topic prefix."""
    keys = tmp_path / "keyring.json"
    init_keyring_file(keys)
    namespace = TopicNamespace(f"t{new_id().hex[-10:]}.")
    await ensure_topics(kafka_bootstrap, namespace=namespace)
    settings = TriageSettings(
        database_url=make_database_url(),
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        HEARD_TOPIC_PREFIX=namespace.prefix,
        HEARD_KEYRING=str(keys),
        pattern_threshold=3,
    )
    upgrade(settings.database_url, SPEC.migrations)
    stop = asyncio.Event()
    async with open_runtime("triage", settings) as runtime:
        tasks = [
            asyncio.create_task(run_relay(SPEC, runtime, stop)),
            asyncio.create_task(run_consumer(SPEC, runtime, stop)),
        ]
        try:
            yield settings, namespace, FileKeyring.load(keys)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)


def _complaints() -> list[ComplaintSubmitted]:
    words = [
        "the night staff hit us with a belt",
        "they lock us in the cellar and beat us when we cry",
        "a carer hits the little ones every day",
    ]
    return [
        submitted(f"{w} {MARKER}").model_copy(update={"concerning": INSTITUTION, "region": "North"})
        for w in words
    ]


async def test_complaints_about_one_home_are_triaged_profiled_and_alerted_once(
    triage: tuple[TriageSettings, TopicNamespace, FileKeyring], kafka_bootstrap: str
) -> None:
    _settings, namespace, keyring = triage
    complaints = _complaints()
    intake = EventCodec(keyring, "intake")
    records = [intake.encode(c, subject=str(c.complaint_id)) for c in complaints]
    await produce(kafka_bootstrap, namespace.physical("complaints"), records)

    reader = EventCodec(keyring, "audit-reader")
    found: dict[str, list[EventData]] = {}

    async def all_out() -> bool:
        for topic in ("triage", "statistics"):
            raw = await read_all(kafka_bootstrap, namespace.physical(topic), idle_seconds=0.3)
            assert all(MARKER.encode() not in r.value + (r.key or b"") for r in raw)
            found[topic] = [reader.decode(topic, r.key, r.headers, r.value).data for r in raw]
        return len(found["triage"]) >= 4 and len(found["statistics"]) >= 3

    await wait_for(all_out, within=60)
    triaged = [e for e in found["triage"] if isinstance(e, ComplaintTriaged)]
    alerts = [e for e in found["triage"] if isinstance(e, SystemicPatternDetected)]
    profiles = [e for e in found["statistics"] if isinstance(e, ComplaintProfiled)]
    ids = {c.complaint_id for c in complaints}
    assert {t.complaint_id for t in triaged} == ids
    assert all(len(t.rule_set_hash) == 64 and t.rules_fired for t in triaged)
    assert {t.category for t in triaged} <= {"violence.physical", "institutions.alternative_care"}
    assert len(alerts) == 1
    assert set(alerts[0].complaints) == ids
    assert MARKER not in alerts[0].subject_hash
    assert len(profiles) == 3
    assert not {p.profile_id for p in profiles} & ids
