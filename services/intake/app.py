"""Intake's FastAPI app, on the shared service app: the JSON API, the public portal and its
static files; keys, limits and templates are set up at start-up."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.intake import blocklist, helpline, portal, portal_follow_up, portal_receipt, sms
from services.intake.api import router
from services.intake.blocklist import BlockedClients
from services.intake.flood import FloodShield
from services.intake.handlers import Keys
from services.intake.idempotency import IdempotencyKeys
from services.intake.pages import OversizedForms, Pages, install_problem_pages
from services.intake.pow import FloodGate, ProofOfWork
from services.intake.receipts import ReceiptHasher
from services.intake.security import SafetyHeaders
from services.intake.settings import IntakeSettings
from services.intake.sms_auth import WebhookVerifier
from services.intake.throttle import TokenBucketLimiter
from shared.runtime import Runtime
from shared.web.app import service_app

STATIC = Path(__file__).parent / "static"


def _limiter(limit: int, window: float, settings: IntakeSettings) -> TokenBucketLimiter:
    return TokenBucketLimiter(
        capacity=limit, window=window, max_clients=settings.status_lookup_max_clients
    )


def _sms_verifier(settings: IntakeSettings) -> WebhookVerifier | None:
    secret = settings.sms_webhook_secret
    if secret is None or not secret.get_secret_value():
        return None
    return WebhookVerifier(secret.get_secret_value().encode(), settings.sms_max_age_seconds)


def create_app(settings: IntakeSettings) -> FastAPI:
    """Build intake's app for `settings` (nothing is opened until start-up)."""

    def on_start(app: FastAPI, runtime: Runtime) -> None:
        app.state.keys = Keys(
            fields=runtime.fields,
            receipts=ReceiptHasher(runtime.keyring, timedelta(days=settings.legacy_code_days)),
            idempotency=IdempotencyKeys(runtime.lookups),
        )
        app.state.lookups = _limiter(
            settings.status_lookup_limit, settings.status_lookup_window_seconds, settings
        )
        app.state.sms_verifier = _sms_verifier(settings)
        app.state.submissions = _limiter(
            settings.submission_limit, settings.submission_window_seconds, settings
        )
        app.state.api_submissions = _limiter(
            settings.api_submission_limit, settings.api_submission_window_seconds, settings
        )
        app.state.submissions_without_work = _limiter(
            settings.no_work_submission_limit, settings.submission_window_seconds, settings
        )
        app.state.work = ProofOfWork(
            runtime.lookups, settings.work_bits, settings.work_max_age_seconds
        )
        app.state.flood = FloodGate(settings.no_work_flood_rate, settings.no_work_flood_burst)
        app.state.blocked = BlockedClients()

    app = service_app("intake", settings, on_start=on_start)
    app.state.pages = Pages(settings)
    app.add_middleware(FloodShield, max_bytes=settings.max_body_bytes)
    app.add_middleware(OversizedForms, max_bytes=settings.max_body_bytes)
    app.add_middleware(SafetyHeaders)
    install_problem_pages(app)
    app.include_router(router)
    app.include_router(blocklist.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(helpline.router)
    app.include_router(sms.router)
    app.include_router(portal_follow_up.router)
    app.include_router(portal_receipt.router)
    app.include_router(portal.router)
    return app
