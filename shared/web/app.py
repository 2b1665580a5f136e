"""What every service's FastAPI app gets: body limit, tracing, safe errors, health."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig

from shared.web.errors import install_error_handlers
from shared.web.limits import BodySizeLimit
from shared.web.tracing import RequestTracing

# FastAPI's own telemetry would record validation failures with their messages (which
# quote the input, a child's words) and trace every dependency; Heard opens its own request
# span (shared.web.tracing), whose attributes it controls.
NO_NATIVE_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def service_app(title: str, lifespan: Lifespan, *, max_body_bytes: int) -> FastAPI:
    """A service's app with the shared middleware, error handlers and `/healthz`."""
    app = FastAPI(title=title, version="1", lifespan=lifespan, telemetry=NO_NATIVE_TELEMETRY)
    install_common(app, max_body_bytes=max_body_bytes)
    return app


def install_common(app: FastAPI, *, max_body_bytes: int) -> None:
    """Add the shared middleware, error handlers and a `/healthz` route to `app`."""
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(RequestTracing)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}
