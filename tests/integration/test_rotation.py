"""A topic's data key rotates while events flow, on a real broker and PostgreSQL: triage's
running consumer picks the new key up from its keyring file and nothing is dead-lettered."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from deploy.keys import init_keys
from services.triage.bootstrap import SERVICE as TRIAGE
from services.triage.db import TriageDecision
from services.triage.settings import TriageSettings
from shared.bus.topics import TopicNamespace, ensure_topics
from shared.crypto.keyfiles import activate_key, distribute_key, load_service_keyring
from shared.db.migrations import upgrade
from shared.events.codec import EventCodec
from shared.ids import new_id
from shared.runner import run_consumer
from shared.runtime import Runtime, open_runtime
from tests.support.events import submitted
from tests.support.kafka_io import produce, read_all, wait_for

pytestmark = pytest.mark.integration


async def _decisions(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return (await session.exec(select(func.count()).select_from(TriageDecision))).one()


async def _send(bootstrap: str, topic: str, keys: Path, count: int) -> None:
    codec = EventCodec(load_service_keyring(keys, "intake"), "intake")  # as intake reloads
    events = [submitted() for _ in range(count)]
    await produce(bootstrap, topic, [codec.encode(e, subject=str(e.complaint_id)) for e in events])


async def test_a_key_rotated_mid_stream_reaches_no_dead_letter_topic(
    kafka_bootstrap: str, database_url: str, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    init_keys(keys)
    prefix = f"k{new_id().hex[-10:]}."
    names = TopicNamespace(prefix)
    await ensure_topics(kafka_bootstrap, namespace=names)
    upgrade(database_url, TRIAGE.migrations)
    settings = TriageSettings(
        database_url=database_url,
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        HEARD_TOPIC_PREFIX=prefix,
        HEARD_KEYRING=keys,
    )
    topic = names.physical("complaints")
    stop = asyncio.Event()
    async with open_runtime("triage", settings) as runtime:
        consuming = asyncio.create_task(run_consumer(TRIAGE, runtime, stop))
        await _send(kafka_bootstrap, topic, keys, 30)
        await wait_for(lambda: _at_least(runtime, 30), within=60)
        # Rotation as an operator does it, while triage runs with the keys it loaded at start.
        key_id = distribute_key(keys, "complaints")
        activate_key(keys, "complaints", key_id)
        await _send(kafka_bootstrap, topic, keys, 30)
        await wait_for(lambda: _at_least(runtime, 60), within=60)
        stop.set()
        await asyncio.wait_for(consuming, timeout=30)
    assert await read_all(kafka_bootstrap, names.physical("complaints.dlq")) == []


async def _at_least(runtime: Runtime, n: int) -> bool:
    return await _decisions(runtime) >= n
