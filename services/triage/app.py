"""Triage's FastAPI app, on the shared service app; the rule set is loaded at start-up."""

from __future__ import annotations

from fastapi import FastAPI

from services.triage.api import router
from services.triage.model import RuleSet
from services.triage.settings import TriageSettings
from shared.runtime import Runtime
from shared.web.app import service_app


def create_app(settings: TriageSettings) -> FastAPI:
    """Build triage's app for `settings` (nothing is opened until start-up)."""

    def on_start(app: FastAPI, _runtime: Runtime) -> None:
        app.state.rules = RuleSet.load(settings.rule_set)

    app = service_app("triage", settings, on_start=on_start)
    app.include_router(router)
    return app
