"""Triage's FastAPI app; the lifespan owns the runtime (engine, keys)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.triage.api import router
from services.triage.errors import DecisionNotFound
from services.triage.model import RuleSet
from services.triage.settings import TriageSettings
from shared.runtime import open_runtime
from shared.web.app import service_app


async def _not_found(_request: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"detail": "no triage decision for that complaint"}, status_code=404)


def create_app(settings: TriageSettings) -> FastAPI:
    """Build triage's app for `settings` (nothing is opened until start-up)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runtime("triage", settings) as runtime:
            app.state.runtime = runtime
            app.state.token_key = runtime.keyring.token_key()
            app.state.rules = RuleSet.load(settings.rule_set)
            yield

    app = service_app("Heard triage", lifespan, max_body_bytes=settings.max_body_bytes)
    app.add_exception_handler(DecisionNotFound, _not_found)
    app.include_router(router)
    return app
