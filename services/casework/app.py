"""Casework's FastAPI app: queues and cases for staff, on the shared service app."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.casework.api import router
from services.casework.errors import CaseNotFound, InvalidCursor
from services.casework.settings import CaseworkSettings
from shared.web.app import service_app


async def _not_found(_request: Request, _error: Exception) -> JSONResponse:
    return JSONResponse({"detail": "no case with that id"}, status_code=404)


async def _bad_cursor(_request: Request, _error: Exception) -> JSONResponse:
    detail = [{"loc": ["query", "cursor"], "msg": "not a cursor this queue issued"}]
    return JSONResponse({"detail": detail}, status_code=422)


def create_app(settings: CaseworkSettings) -> FastAPI:
    """Build casework's app for `settings` (nothing is opened until start-up)."""
    app = service_app("casework", settings)
    app.add_exception_handler(CaseNotFound, _not_found)
    app.add_exception_handler(InvalidCursor, _bad_cursor)
    app.include_router(router)
    return app
