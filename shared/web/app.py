"""What every service's FastAPI app gets: body limit, tracing, safe errors, health."""

from __future__ import annotations

from fastapi import FastAPI

from shared.web.errors import install_error_handlers
from shared.web.limits import BodySizeLimit
from shared.web.tracing import RequestTracing


def install_common(app: FastAPI, *, max_body_bytes: int) -> None:
    """Add the shared middleware, error handlers and a `/healthz` route to `app`."""
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(RequestTracing)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}
