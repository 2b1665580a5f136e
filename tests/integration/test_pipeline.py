"""One complaint through all four services in this process, on real Kafka and PostgreSQL.

It checks the whole spine at handler level: intake's HTTP answer, triage's decision,
casework's case in its queue, audit's log entries, intake's read model; and that the
complaint is one trace from the HTTP request to the audit append (in-memory exporter).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from deploy.client import sample_complaint
from services.audit.bootstrap import SERVICE as AUDIT
from services.casework.bootstrap import SERVICE as CASEWORK
from services.intake.bootstrap import SERVICE as INTAKE
from services.triage.bootstrap import SERVICE as TRIAGE
from shared.auth import ensure_issuer_files, load_issuer
from shared.bus.topics import TopicNamespace, ensure_topics
from shared.crypto.keyring import init_keyring_file
from shared.db.migrations import upgrade
from shared.ids import new_id
from shared.runner import run_consumer, run_relay
from shared.runtime import Runtime, open_runtime
from shared.service import Service
from shared.settings import ServiceSettings
from shared.telemetry import ScrubbingSpanExporter
from tests.support.apps import app_client
from tests.support.kafka_io import wait_for

pytestmark = pytest.mark.integration

TRAIL = [
    "heard.audit.commitment",  # the receipt's commitment, a leaf of its own
    "heard.case.opened.v1",
    "heard.complaint.submitted.v1",
    "heard.complaint.triaged.v1",
    "heard.statistics.complaint-profiled.v1",
]

SPECS: tuple[Service[Any], ...] = (INTAKE, TRIAGE, CASEWORK, AUDIT)


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    """One in-memory exporter behind the scrubbing wrapper, installed once per process."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(ScrubbingSpanExporter(exporter)))
    trace.set_tracer_provider(provider)
    return exporter


@pytest.fixture
def keyring_path(tmp_path: Path) -> Path:
    path = tmp_path / "keyring.json"
    init_keyring_file(path)
    ensure_issuer_files(tmp_path)
    return path


def _settings(
    spec: Service[Any], url: str, bootstrap: str, prefix: str, keys: Path
) -> ServiceSettings:
    settings: ServiceSettings = spec.settings(
        database_url=url,
        KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        HEARD_TOPIC_PREFIX=prefix,
        HEARD_KEYRING=str(keys),
    )
    return settings


@pytest.fixture
async def system(
    kafka_bootstrap: str,
    make_database_url: Callable[[], str],
    keyring_path: Path,
    spans: InMemorySpanExporter,
) -> AsyncIterator[dict[str, Runtime]]:
    """Every service's consumer and relay running as tasks, each on its own database; the
    runtimes, which the apps under test share as the combined process does."""
    prefix = f"p{new_id().hex[-10:]}."
    await ensure_topics(kafka_bootstrap, namespace=TopicNamespace(prefix))
    settings = {
        s.name: _settings(s, make_database_url(), kafka_bootstrap, prefix, keyring_path)
        for s in SPECS
    }
    stop = asyncio.Event()
    async with AsyncExitStack() as stack:
        tasks = []
        runtimes = {}
        for spec in SPECS:
            upgrade(settings[spec.name].database_url, spec.migrations)
            runtime = await stack.enter_async_context(open_runtime(spec.name, settings[spec.name]))
            runtimes[spec.name] = runtime
            tasks.append(run_relay(spec, runtime, stop))
            tasks.append(run_consumer(spec, runtime, stop))
        running = [asyncio.create_task(t) for t in tasks]
        spans.clear()
        try:
            yield runtimes
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*running), timeout=30)


def _app(spec: Service[Any], runtime: Runtime) -> FastAPI:
    app = spec.create_app(runtime.settings)
    app.state.runtime = runtime
    return app


async def test_one_complaint_is_one_case_one_trail_and_one_trace(
    system: dict[str, Runtime], keyring_path: Path, spans: InMemorySpanExporter
) -> None:
    token = load_issuer(keyring_path.parent).issue("olga", {"caseworker", "auditor"})
    staff = {"Authorization": f"Bearer {token}"}
    async with (
        app_client(_app(INTAKE, system["intake"])) as intake,
        app_client(_app(CASEWORK, system["casework"])) as casework,
        app_client(_app(AUDIT, system["audit"])) as audit,
    ):
        answer = await intake.post("/api/v1/complaints", json=sample_complaint(0))
        assert answer.status_code == 201, answer.text
        complaint_id = answer.json()["complaint_id"]

        async def case_in_queue() -> bool:
            # Abuse and "scared to go home": triage routes it to the emergency queue (P1).
            queue = await casework.get("/api/v1/queues/emergency", headers=staff)
            return any(c["complaint_id"] == complaint_id for c in queue.json()["items"])

        async def fully_audited() -> bool:
            # Audit reads each topic on its own: wait for all four, in whatever order.
            log = await audit.get("/api/v1/log", headers=staff)
            return len(log.json()["entries"]) >= len(TRAIL)

        await wait_for(case_in_queue, within=60)
        await wait_for(fully_audited, within=60)
        log = (await audit.get("/api/v1/log", headers=staff)).json()
        assert sorted(e["type"] for e in log["entries"]) == TRAIL

    finished = spans.get_finished_spans()
    http = [s for s in finished if s.name.startswith("POST /api/v1/complaints")]
    assert len(http) == 1, [(s.name, s.kind, s.parent, s.attributes) for s in http]
    trace_id = http[0].context.trace_id
    in_trace = {s.name for s in finished if s.context.trace_id == trace_id}
    assert {
        "consume heard.complaint.submitted.v1",
        "consume heard.complaint.triaged.v1",
        "consume heard.case.opened.v1",
        "audit append",
    } <= in_trace
