"""Spans leave the process scrubbed, and trace context survives the outbox hop."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.telemetry import (
    REDACTED,
    ScrubbingSpanExporter,
    context_from_traceparent,
    scrub_attributes,
)


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
