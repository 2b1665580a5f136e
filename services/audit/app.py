"""Audit's FastAPI app: the log for staff and oversight, on the shared service app.

The integrator runs beside the API for the app's lifetime (until the combined process
places it with the consumer).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.audit.api import router
from services.audit.console import router as console_router
from services.audit.integrator import run_integrator
from services.audit.log_api import SignedSize
from services.audit.log_api import router as log_router
from services.audit.settings import AuditSettings
from services.audit.statistics_console import router as statistics_router
from shared.web.app import service_app


def _with_integrator(app: FastAPI, settings: AuditSettings) -> None:
    shared_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with shared_lifespan(app):
            stop = asyncio.Event()
            task = asyncio.create_task(run_integrator(app.state.runtime, settings, stop))
            try:
                yield
            finally:
                stop.set()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app.router.lifespan_context = lifespan


def create_app(settings: AuditSettings, *, integrate: bool = True) -> FastAPI:
    """Build audit's app for `settings` (nothing is opened until start-up)."""
    app = service_app("audit", settings)
    app.state.audit_settings = settings
    app.state.signed_size = SignedSize()
    app.include_router(router)
    app.include_router(log_router)
    app.include_router(console_router)
    app.include_router(statistics_router)
    if integrate:
        _with_integrator(app, settings)
    return app
