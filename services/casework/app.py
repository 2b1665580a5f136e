"""Casework's FastAPI app: queues and cases for staff, on the shared service app."""

from __future__ import annotations

from fastapi import FastAPI

from services.casework.api import router
from services.casework.settings import CaseworkSettings
from shared.web.app import service_app


def create_app(settings: CaseworkSettings) -> FastAPI:
    """Build casework's app for `settings` (nothing is opened until start-up)."""
    app = service_app("casework", settings)
    app.include_router(router)
    return app
