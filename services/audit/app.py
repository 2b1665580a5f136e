"""Audit's FastAPI app: the log for staff and oversight, on the shared service app.

The integrator runs beside the API for the app's lifetime (until the combined process
places it with the consumer).
"""

from __future__ import annotations

from fastapi import FastAPI

from services.audit.api import router
from services.audit.console import router as console_router
from services.audit.integrator import run_integrator
from services.audit.log_api import SignedSize
from services.audit.log_api import router as log_router
from services.audit.settings import AuditSettings
from services.audit.statistics_console import router as statistics_router
from services.audit.tile_cache import TileReader
from shared.web.app import run_beside, service_app


def create_app(settings: AuditSettings, *, integrate: bool = True) -> FastAPI:
    """Build audit's app for `settings` (nothing is opened until start-up)."""
    app = service_app("audit", settings)
    app.state.audit_settings = settings
    app.state.signed_size = SignedSize()
    app.state.tile_reader = TileReader()
    app.include_router(router)
    app.include_router(log_router)
    app.include_router(console_router)
    app.include_router(statistics_router)
    if integrate:
        run_beside(app, lambda runtime, stop: run_integrator(runtime, settings, stop))
    return app
