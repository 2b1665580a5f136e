"""Casework's FastAPI app: queues and cases for staff, on the shared service app."""

from __future__ import annotations

from fastapi import FastAPI

from services.casework import (
    cases_api,
    console,
    console_actions,
    console_answers,
    protection_api,
)
from services.casework.api import router
from services.casework.procedure import Tools
from services.casework.scheduler import run_scheduler
from services.casework.settings import CaseworkSettings
from shared.runtime import Runtime
from shared.web.app import run_beside, service_app


def create_app(settings: CaseworkSettings) -> FastAPI:
    """Build casework's app for `settings` (nothing is opened until start-up)."""

    def on_start(app: FastAPI, runtime: Runtime) -> None:
        app.state.casework_tools = Tools(runtime.fields, settings.clocks())
        app.state.signin_url = settings.signin_url.rstrip("/")

    app = service_app("casework", settings, on_start=on_start)
    app.include_router(router)
    app.include_router(cases_api.router)
    app.include_router(protection_api.router)
    app.include_router(console.router)
    app.include_router(console_actions.router)
    app.include_router(console_answers.router)
    app.add_exception_handler(console.SignInRequired, console.to_sign_in)
    if settings.run_scheduler:
        run_beside(app, lambda runtime, stop: run_scheduler(runtime, settings, stop))
    return app
