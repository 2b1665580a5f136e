"""Audit's FastAPI app: the log for staff and oversight, on the shared service app."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.audit.api import router
from services.audit.errors import EntryNotFound
from services.audit.settings import AuditSettings
from shared.web.app import service_app


async def _not_found(_request: Request, _error: Exception) -> JSONResponse:
    return JSONResponse({"detail": "the log has no entry at that position"}, status_code=404)


def create_app(settings: AuditSettings) -> FastAPI:
    """Build audit's app for `settings` (nothing is opened until start-up)."""
    app = service_app("audit", settings)
    app.add_exception_handler(EntryNotFound, _not_found)
    app.include_router(router)
    return app
