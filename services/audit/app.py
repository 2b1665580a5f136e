"""Audit's FastAPI app: the log for staff and oversight, on the shared service app."""

from __future__ import annotations

from fastapi import FastAPI

from services.audit.api import router
from services.audit.settings import AuditSettings
from shared.web.app import service_app


def create_app(settings: AuditSettings) -> FastAPI:
    """Build audit's app for `settings` (nothing is opened until start-up)."""
    app = service_app("audit", settings)
    app.include_router(router)
    return app
