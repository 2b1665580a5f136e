"""OpenTelemetry for all services: one trace per complaint, scrubbed before export.

Trace context crosses Kafka in the `traceparent` header; it is captured when an event is
written to the outbox, so the consumer's span continues the HTTP request's trace. Every
exported span passes through `ScrubbingSpanExporter`, which keeps only attributes whose
names are known to be safe and redacts values that look like contact details; a status
description (an exception's message, which may quote input) leaves only as `[scrubbed]`.

A client's `traceparent` is not trusted: an HTTP request starts a trace of Heard's own and
links to the client's span (`link_from_headers`), so a caller cannot join or steer Heard's
traces, nor make two complaints share one.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import Link, Status
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_PROPAGATOR = TraceContextTextMapPropagator()
SAFE_PREFIXES = ("heard.", "messaging.", "http.", "url.path", "server.", "error.", "db.system")
_SUSPECT = re.compile(r"@|\+?\d[\d\s().-]{6,}\d")
REDACTED = "[scrubbed]"


def tracer() -> trace.Tracer:
    """Heard's tracer (from whichever provider is installed)."""
    return trace.get_tracer("heard")


def current_traceparent() -> str | None:
    """The W3C traceparent of the active span, if any."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


def context_from_traceparent(traceparent: str | None) -> otel_context.Context:
    """A context whose parent is the span named by `traceparent` (empty if none)."""
    if not traceparent:
        return otel_context.Context()
    return _PROPAGATOR.extract({"traceparent": traceparent})


def link_from_headers(headers: Mapping[str, str]) -> list[Link]:
    """A link to the span an incoming request names in its `traceparent` (none if invalid):
    the request's own span starts a new trace."""
    parent = trace.get_current_span(_PROPAGATOR.extract(dict(headers))).get_span_context()
    return [Link(parent)] if parent.is_valid else []


def scrub_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """Drop unknown attribute names; redact safe-named values that look like contact data."""
    kept: dict[str, Any] = {}
    for name, value in (attributes or {}).items():
        if not name.startswith(SAFE_PREFIXES):
            continue
        kept[name] = REDACTED if isinstance(value, str) and _SUSPECT.search(value) else value
    return kept


def scrub_status(status: Status) -> Status:
    """The status without its description (kept only as a marker that there was one)."""
    if not status.description:
        return status
    return Status(status.status_code, REDACTED)


def _scrubbed(span: ReadableSpan) -> ReadableSpan:
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=scrub_attributes(span.attributes),
        events=(),
        links=span.links,
        kind=span.kind,
        status=scrub_status(span.status),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class ScrubbingSpanExporter(SpanExporter):
    """Wraps an exporter so that nothing unvetted leaves the process.

    Span events are dropped too: exception events carry messages and stack locals.
    """

    def __init__(self, inner: SpanExporter) -> None:
        self._inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Export scrubbed copies of `spans`."""
        return self._inner.export([_scrubbed(s) for s in spans])

    def shutdown(self) -> None:
        """Shut the wrapped exporter down."""
        self._inner.shutdown()


class JsonLinesSpanExporter(SpanExporter):
    """Appends one JSON line per span to a file: enough for tests across processes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Append the spans to the file."""
        lines = [json.dumps(_span_summary(s)) + "\n" for s in spans]
        with self._lock, self._path.open("a", encoding="utf-8") as out:
            out.writelines(lines)
        return SpanExportResult.SUCCESS


def _span_summary(span: ReadableSpan) -> dict[str, Any]:
    ctx = span.context
    return {
        "name": span.name,
        "trace_id": f"{ctx.trace_id:032x}" if ctx else None,
        "span_id": f"{ctx.span_id:016x}" if ctx else None,
        "parent_id": f"{span.parent.span_id:016x}" if span.parent else None,
        "service": span.resource.attributes.get("service.name"),
        "attributes": dict(span.attributes or {}),
    }


def setup_tracing(service: str, exporter: SpanExporter | None = None) -> TracerProvider:
    """Install a tracer provider for `service`; spans are exported only through scrubbing."""
    provider = TracerProvider(resource=Resource.create({"service.name": f"heard-{service}"}))
    if exporter is not None:
        # Exported in batches from a background thread: never on a request's or batch's path.
        provider.add_span_processor(BatchSpanProcessor(ScrubbingSpanExporter(exporter)))
    trace.set_tracer_provider(provider)
    return provider
