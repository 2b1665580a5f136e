"""Intake's FastAPI app; the lifespan owns the runtime (engine, keys) and the lookup limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.intake.api import router
from services.intake.errors import TooManyLookups, UnknownReceipt
from services.intake.receipts import ReceiptHasher
from services.intake.settings import IntakeSettings
from services.intake.throttle import TokenBucketLimiter
from shared.runtime import open_runtime
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

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runtime("intake", settings) as runtime:
            app.state.runtime = runtime
            app.state.receipts = ReceiptHasher.derived_from(runtime.keyring.token_key())
            app.state.lookups = _lookup_limiter(settings)
            yield

    app = service_app("Heard intake", lifespan, max_body_bytes=settings.max_body_bytes)
    app.add_exception_handler(UnknownReceipt, _unknown_receipt)
    app.add_exception_handler(TooManyLookups, _too_many)
    app.include_router(router)
    return app
