"""Triage's FastAPI app, on the shared service app; rules, targets and corpus at start-up."""

from __future__ import annotations

from fastapi import FastAPI

from services.triage.admin import router as admin_router
from services.triage.api import router
from services.triage.evaluation import load_corpus
from services.triage.handlers import triage_context
from services.triage.settings import TriageSettings
from shared.runtime import Runtime
from shared.web.app import service_app


def create_app(settings: TriageSettings) -> FastAPI:
    """Build triage's app for `settings` (nothing is opened until start-up)."""

    def on_start(app: FastAPI, runtime: Runtime) -> None:
        app.state.triage = runtime.context.state or triage_context(runtime, settings)
        app.state.corpus = load_corpus(settings.corpus)

    app = service_app("triage", settings, on_start=on_start)
    app.include_router(router)
    app.include_router(admin_router)
    return app
