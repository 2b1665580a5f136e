"""Intake's FastAPI app, on the shared service app; receipt hashing and the lookup limit
are set up at start-up."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.api import router
from services.intake.receipts import ReceiptHasher
from services.intake.settings import IntakeSettings
from services.intake.throttle import TokenBucketLimiter
from shared.runtime import Runtime
from shared.web.app import service_app


def _lookup_limiter(settings: IntakeSettings) -> TokenBucketLimiter:
    return TokenBucketLimiter(
        capacity=settings.status_lookup_limit,
        window=settings.status_lookup_window_seconds,
        max_clients=settings.status_lookup_max_clients,
    )


def create_app(settings: IntakeSettings) -> FastAPI:
    """Build intake's app for `settings` (nothing is opened until start-up)."""

    def on_start(app: FastAPI, runtime: Runtime) -> None:
        app.state.receipts = ReceiptHasher.derived_from(runtime.keyring.token_key())
        app.state.lookups = _lookup_limiter(settings)

    app = service_app("intake", settings, on_start=on_start)
    app.include_router(router)
    return app
