"""Spans leave the process scrubbed (attributes and status descriptions), trace context
survives the outbox hop, and a client's `traceparent` is linked, never continued."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

from shared.telemetry import (
    REDACTED,
    ScrubbingSpanExporter,
    context_from_traceparent,
    scrub_attributes,
)
from shared.web import tracing as web_tracing
from shared.web.app import install_common


def test_unknown_attribute_names_are_dropped() -> None:
    kept = scrub_attributes({"narrative": "secret", "heard.event.type": "x", "user.email": "a@b"})
    assert kept == {"heard.event.type": "x"}


def test_contact_like_values_are_redacted_even_under_safe_names() -> None:
    kept = scrub_attributes({"heard.note": "call +44 20 7946 0958", "http.x": "me@example.org"})
    assert kept == {"heard.note": REDACTED, "http.x": REDACTED}


def test_exporter_wrapper_scrubs_and_drops_events() -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(ScrubbingSpanExporter(memory)))
    with provider.get_tracer("t").start_as_current_span("s", attributes={"secret": "x"}) as span:
        span.add_event("exception", {"exception.message": "child said ..."})
    (exported,) = memory.get_finished_spans()
    assert dict(exported.attributes or {}) == {}
    assert exported.events == ()


def test_traceparent_round_trips_to_a_parent_context() -> None:
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    provider = TracerProvider()
    with provider.get_tracer("t").start_as_current_span(
        "child", context=context_from_traceparent(traceparent)
    ) as span:
        assert f"{span.get_span_context().trace_id:032x}" == "0af7651916cd43dd8448eb211c80319c"


def test_a_status_description_leaves_scrubbed_and_the_status_code_stays() -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(ScrubbingSpanExporter(memory)))
    # The SDK writes "ValueError: <message>" into the status: a message may quote a child.
    with (
        pytest.raises(ValueError, match="MARKER"),
        provider.get_tracer("t").start_as_current_span("s"),
    ):
        raise ValueError("my name is MARKER, call +44 20 7946 0958")
    (exported,) = memory.get_finished_spans()
    assert exported.status.status_code is StatusCode.ERROR
    assert exported.status.description == REDACTED


def test_a_status_without_description_is_kept_as_it_is() -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(ScrubbingSpanExporter(memory)))
    with provider.get_tracer("t").start_as_current_span("s") as span:
        span.set_status(Status(StatusCode.OK))
    (exported,) = memory.get_finished_spans()
    assert exported.status.status_code is StatusCode.OK
    assert exported.status.description is None


CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c"


async def _served_span(monkeypatch: pytest.MonkeyPatch, headers: dict[str, str]) -> ReadableSpan:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(ScrubbingSpanExporter(memory)))
    monkeypatch.setattr(web_tracing, "tracer", lambda: provider.get_tracer("t"))
    app = FastAPI()
    install_common(app, max_body_bytes=4096)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://heard") as client:
        assert (await client.get("/healthz", headers=headers)).status_code == 200
    (span,) = memory.get_finished_spans()
    return span


async def test_a_clients_traceparent_starts_a_new_trace_linked_to_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    span = await _served_span(
        monkeypatch, {"traceparent": f"00-{CLIENT_TRACE}-b7ad6b7169203331-01"}
    )
    assert span.parent is None
    assert span.context is not None
    assert f"{span.context.trace_id:032x}" != CLIENT_TRACE
    (link,) = span.links
    assert f"{link.context.trace_id:032x}" == CLIENT_TRACE
    assert f"{link.context.span_id:016x}" == "b7ad6b7169203331"


@pytest.mark.parametrize(
    "traceparent", ["garbage", f"00-{'0' * 32}-b7ad6b7169203331-01", "00-xyz-abc-01"]
)
async def test_a_request_with_an_invalid_traceparent_gets_a_root_span_without_link(
    monkeypatch: pytest.MonkeyPatch, traceparent: str
) -> None:
    span = await _served_span(monkeypatch, {"traceparent": traceparent})
    assert span.parent is None
    assert span.links == ()
