"""What every service's FastAPI app gets: its runtime for the app's lifetime, body limit,
tracing, safe errors, health."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig

from shared.auth import TokenVerifier
from shared.oidc import oidc_verifier
from shared.runtime import Runtime, open_runtime
from shared.settings import ServiceSettings
from shared.web.contract import document_errors
from shared.web.errors import install_error_handlers
from shared.web.limits import BodySizeLimit
from shared.web.tracing import RequestTracing

# FastAPI's own telemetry would record validation failures with their messages (which
# quote the input, a child's words) and trace every dependency; Heard opens its own request
# span (shared.web.tracing), whose attributes it controls.
NO_NATIVE_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}

StartUp = Callable[[FastAPI, Runtime], None]


def service_app(
    service: str, settings: ServiceSettings, *, on_start: StartUp | None = None
) -> FastAPI:
    """`service`'s app with the shared middleware, error handlers and `/healthz`.

    Its runtime (engine, keys) opens at start-up, not here, and closes at shutdown, unless the
    process already set `app.state.runtime` to the one its consumer and relay share; routes find
    it in `app.state.runtime`, the staff-token check its public keys in `app.state.token_verifier`.
    `on_start` adds what else the service keeps in `app.state`.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        given: Runtime | None = getattr(app.state, "runtime", None)
        async with contextlib.AsyncExitStack() as stack:
            runtime = given
            if runtime is None:
                runtime = await stack.enter_async_context(open_runtime(service, settings))
            app.state.runtime = runtime
            app.state.token_verifier = staff_verifier(settings)
            if on_start is not None:
                on_start(app, runtime)
            yield

    app = FastAPI(
        title=f"Heard {service}", version="1", lifespan=lifespan, telemetry=NO_NATIVE_TELEMETRY
    )
    install_common(app, max_body_bytes=settings.max_body_bytes)
    document_errors(app, service)
    return app


def staff_verifier(settings: ServiceSettings) -> TokenVerifier:
    """The OIDC provider's verifier when one is configured, else the local issuer's files."""
    if settings.oidc_issuer and settings.oidc_jwks_url:
        return oidc_verifier(settings.oidc_jwks_url, settings.oidc_issuer, settings.oidc_audience)
    return TokenVerifier.from_files(settings.staff_keys_folder())


def install_common(app: FastAPI, *, max_body_bytes: int) -> None:
    """Add the shared middleware, error handlers and a `/healthz` route to `app`."""
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(RequestTracing)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}


Task = Callable[[Runtime, asyncio.Event], Awaitable[None]]


def run_beside(app: FastAPI, task: Task) -> None:
    """Run `task` (a service's background task) for `app`'s lifetime, on its runtime: for an
    app used alone (tests, a single process); the combined process runs the service's
    background tasks itself."""
    opened = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with opened(app):
            stop = asyncio.Event()
            running: asyncio.Future[None] = asyncio.ensure_future(task(app.state.runtime, stop))
            try:
                yield
            finally:
                stop.set()
                await running

    app.router.lifespan_context = lifespan
