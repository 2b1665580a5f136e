"""Nothing a child sent, and no receipt code, reaches a log line, a span or intake's
database (file or write-ahead log) in readable form: child data is stored sealed."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.intake.forms import TEXT_FIELDS
from services.intake.receipts import canonical_code
from services.intake.settings import IntakeSettings
from shared.bus.outbox import OutboxMessage
from shared.crypto.keyring import FileKeyring
from shared.logs import JsonFormatter
from shared.runtime import Runtime
from shared.web import tracing
from tests.support.events import MARKER
from tests.unit.intake.portal_client import Visitor, receipt_code
from tests.unit.intake.support import (
    case_opened,
    complete,
    consume,
    from_casework,
    message_to_child,
    rows,
    step_changed,
)

SECRETS = (MARKER, "example.org", "23 45 67")


def _database_bytes(folder: Path) -> bytes:
    """Everything SQLite wrote: the database file and its write-ahead log."""
    return b"".join(p.read_bytes() for p in folder.glob("intake.db*"))


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> InMemorySpanExporter:
    """Request spans go to memory (unscrubbed: intake must not need the scrubber)."""
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    monkeypatch.setattr(tracing, "tracer", lambda: provider.get_tracer("test"))
    return exported


async def test_logs_and_spans_carry_ids_only(
    client: httpx.AsyncClient,
    runtime: Runtime,
    settings: IntakeSettings,
    keyring: FileKeyring,
    spans: InMemorySpanExporter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        answer = (await client.post("/api/v1/complaints", json=complete())).json()
        code = answer["receipt_code"]
        await client.post("/api/v1/receipts/status", json={"receipt_code": code})
        await client.post("/api/v1/complaints", json=complete(anonymous=True))
        await consume(runtime, [case_opened(keyring, uuid.UUID(answer["complaint_id"]))])
    formatter = JsonFormatter("intake")
    logged = "\n".join(formatter.format(r) for r in caplog.records)
    exported = "\n".join(f"{s.name} {dict(s.attributes or {})}" for s in spans.get_finished_spans())
    assert answer["complaint_id"] in logged
    assert answer["complaint_id"] in exported
    for secret in (*SECRETS, code, canonical_code(code)):
        assert secret not in logged
        assert secret not in exported


async def test_the_database_holds_no_receipt_code(
    client: httpx.AsyncClient, runtime: Runtime, tmp_path: Path
) -> None:
    codes = [
        (await client.post("/api/v1/complaints", json=complete())).json()["receipt_code"]
        for _ in range(3)
    ]
    await runtime.engine.dispose()
    stored = _database_bytes(tmp_path)
    for secret in SECRETS:
        assert secret.encode() not in stored
    for code in codes:
        assert code.encode() not in stored
        assert canonical_code(code).encode() not in stored


async def test_a_marker_in_every_field_reaches_no_database_byte_and_no_log(
    client: httpx.AsyncClient,
    runtime: Runtime,
    settings: IntakeSettings,
    keyring: FileKeyring,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    visitor = Visitor(client)
    texts = {name: f"{name} {MARKER}" for name in TEXT_FIELDS}
    with caplog.at_level(logging.DEBUG):
        page = await visitor.submit(
            "en", "adult", contact="yes", consent="no", in_danger="yes", **texts
        )
        code = receipt_code(page.text)
        await visitor.follow_up(code, action="reply", text=f"reply {MARKER}")
        await visitor.follow_up(code, action="add", text=f"added {MARKER}")
        (row,) = [r for r in await rows(runtime, OutboxMessage) if r.topic == "complaints"][:1]
        complaint_id = uuid.UUID(row.key.decode())
        casework = [
            from_casework(keyring, step_changed(complaint_id, "examination", f"why {MARKER}"), 1),
            from_casework(keyring, message_to_child(complaint_id, f"worker {MARKER}"), 2),
        ]
        await consume(runtime, casework)
        shown = (await visitor.follow_up(code)).text
    assert shown.count(MARKER) == 4  # reply, added, explanation, worker's message
    await runtime.engine.dispose()
    stored = _database_bytes(tmp_path)
    assert MARKER.encode() not in stored
    assert code.encode() not in stored
    logged = "\n".join(JsonFormatter("intake").format(r) for r in caplog.records)
    assert MARKER not in logged
    assert code not in logged
