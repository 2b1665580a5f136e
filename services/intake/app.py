"""Intake's FastAPI app, on the shared service app; receipt hashing and the lookup limit
are set up at start-up."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.intake.api import router
from services.intake.errors import TooManyLookups, UnknownReceipt
from services.intake.receipts import ReceiptHasher
from services.intake.settings import IntakeSettings
from services.intake.throttle import TokenBucketLimiter
from shared.runtime import Runtime
from shared.web.app import service_app


async def _unknown_receipt(_request: Request, _error: Exception) -> JSONResponse:
    # One answer for every unknown code, so a guess learns nothing but "no".
    return JSONResponse({"detail": "no complaint matches that receipt code"}, status_code=404)


async def _too_many(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, TooManyLookups)  # noqa: S101 - registered for this type
    return JSONResponse(
        {"detail": "too many receipt lookups; please wait and try again"},
        status_code=429,
        headers={"Retry-After": str(error.retry_after)},
    )


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
    app.add_exception_handler(UnknownReceipt, _unknown_receipt)
    app.add_exception_handler(TooManyLookups, _too_many)
    app.include_router(router)
    return app
