"""A server span per HTTP request, in a new trace linked to a caller's `traceparent`."""

from __future__ import annotations

from opentelemetry import context as otel_context
from opentelemetry.trace import SpanKind
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.telemetry import link_from_headers, tracer


class RequestTracing:
    """ASGI middleware opening one SERVER span per request (route template, not raw path)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Wrap the request in a span and record its status code."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        name = f"{scope['method']} (unrouted)"
        with tracer().start_as_current_span(
            name,
            context=otel_context.Context(),  # a root span: the caller's trace is only linked
            links=link_from_headers(headers),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": scope["method"]},
        ) as span:

            async def recording_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.response.status_code", message["status"])
                await send(message)

            await self._app(scope, receive, recording_send)
            # Routing has run now: name the span by its template, so ids in paths never
            # become span names (and spans group by route).
            route = scope.get("route")
            template = getattr(route, "path", None)
            if isinstance(template, str):
                span.update_name(f"{scope['method']} {template}")
                span.set_attribute("http.route", template)
