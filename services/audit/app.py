"""Audit's FastAPI app; the lifespan owns the runtime (engine, keys)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.audit.api import router
from services.audit.errors import EntryNotFound
from services.audit.settings import AuditSettings
from shared.runtime import open_runtime
from shared.web.app import service_app


async def _not_found(_request: Request, _error: Exception) -> JSONResponse:
    return JSONResponse({"detail": "the log has no entry at that position"}, status_code=404)


def create_app(settings: AuditSettings) -> FastAPI:
    """Build audit's app for `settings` (nothing is opened until start-up)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runtime("audit", settings) as runtime:
            app.state.runtime = runtime
            app.state.token_key = runtime.keyring.token_key()
            yield

    app = service_app("Heard audit", lifespan, max_body_bytes=settings.max_body_bytes)
    app.add_exception_handler(EntryNotFound, _not_found)
    app.include_router(router)
    return app
