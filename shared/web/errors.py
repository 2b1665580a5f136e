"""Error responses: clear 4xx for bad input, 503 for outages, never an echo of input."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from shared.errors import HeardError
from shared.ids import new_id

log = logging.getLogger("heard.http")


def _field_errors(error: RequestValidationError) -> list[dict[str, object]]:
    # FastAPI's default body echoes the submitted value back ("input"): for a child's
    # narrative that is a leak into proxies and logs, so only location and reason go out.
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in error.errors()
    ]


async def _validation(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)  # noqa: S101 - registered for this type
    return JSONResponse({"detail": _field_errors(error)}, status_code=422)


async def _unavailable(_request: Request, error: Exception) -> JSONResponse:
    log.error("database unavailable: %s", type(error).__name__)
    return JSONResponse(
        {"detail": "temporarily unavailable, nothing was saved; please try again"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    error_id = str(new_id())
    log.error("unhandled %s (error id %s)", type(error).__name__, error_id)
    return JSONResponse(
        {"detail": "internal error, nothing was saved", "error_id": error_id}, status_code=500
    )


def _allowed(request: Request) -> str:
    """Every method some route serves at this path: Starlette names only the first route's."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods and route.path_regex.match(request.url.path):
            methods |= route.methods
    return ", ".join(sorted(methods))


async def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)  # noqa: S101 - registered for this type
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = _allowed(request)
    return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=headers)


async def _domain(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HeardError)  # noqa: S101 - registered for this type
    if error.status_code is None:
        return await _unexpected(request, error)
    return JSONResponse(
        {"detail": error.public_detail}, status_code=error.status_code, headers=error.headers
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map validation, HTTP, domain, outage and unexpected errors to safe JSON responses."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HeardError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(OperationalError, _unavailable)
    app.add_exception_handler(InterfaceError, _unavailable)
    app.add_exception_handler(Exception, _unexpected)
