"""The error answers of every route, documented once for every app.

FastAPI documents only a route's success and its request-validation 422, and that 422 in a shape
(`input`, `ctx`) Heard never sends. What the shared handlers (`shared.web.errors`) and middleware
really answer follows from what a route takes, so it is added here, with the one error body they
all return:
- every route: 422 (invalid input, or a request the domain refuses) and 503 (database outage);
- a route with a body: 400 (unreadable body), 413 (too large), 415 (not a media type it reads);
- a route with path parameters: 404 (nothing there);
- a staff route (it has `security`: `shared.web.staff.require_roles`): 401 (no valid token)
  and 403 (a role missing);
- each status a domain error of the service declares (`status_code` on a subclass of
  `shared.errors.HeardError` in `services.<name>`), the service's own refusals (404, 409, 429...).
"""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI

from shared.errors import HeardError

ERROR_SCHEMA = "Error"
_ERROR_BODY: dict[str, Any] = {
    "title": ERROR_SCHEMA,
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "anyOf": [
                {"type": "string", "description": "what was wrong, never the input"},
                {
                    "type": "array",
                    "description": "one entry per invalid field",
                    "items": {
                        "type": "object",
                        "required": ["loc", "msg", "type"],
                        "properties": {
                            "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                            "msg": {"type": "string"},
                            "type": {"type": "string"},
                        },
                    },
                },
            ]
        },
        "error_id": {"type": "string", "description": "quote it when reporting a fault"},
    },
}
_BODY_STATUSES = (400, 413, 415)
_STAFF_STATUSES = (401, 403)


def document_errors(app: FastAPI, service: str) -> None:
    """Make `app`'s OpenAPI document list every error answer its routes can give."""

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _add_errors(generate(), domain_statuses(service))
        return generate()

    app.openapi = openapi  # type: ignore[method-assign]


def domain_statuses(service: str) -> set[int]:
    """The statuses the domain errors defined in `services.<service>` answer with."""
    prefix = f"services.{service}."
    return {
        error.status_code
        for error in _subclasses(HeardError)
        if error.__module__.startswith(prefix) and error.status_code is not None
    }


def _subclasses(root: type[HeardError]) -> Iterator[type[HeardError]]:
    for sub in root.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _add_errors(document: dict[str, Any], domain: set[int]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_SCHEMA] = _ERROR_BODY
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path in document.get("paths", {}).values():
        for operation in path.values():
            _add_operation_errors(operation, domain)


def _add_operation_errors(operation: dict[str, Any], domain: set[int]) -> None:
    for parameter in operation.get("parameters", ()):
        _not_nullable(parameter)
    statuses = {422, 503} | domain
    if "requestBody" in operation:
        statuses.update(_BODY_STATUSES)
    if any(parameter.get("in") == "path" for parameter in operation.get("parameters", ())):
        statuses.add(404)
    if operation.get("security"):
        statuses.update(_STAFF_STATUSES)
    responses = operation.setdefault("responses", {})
    for status in sorted(statuses):
        answer = responses.setdefault(str(status), {"description": HTTPStatus(status).phrase})
        answer["content"] = {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}
        }


def _not_nullable(parameter: dict[str, Any]) -> None:
    # `x: str | None = None` documents `null`, which a query, header or path cannot carry:
    # leaving the parameter out is how a client says None.
    schema = parameter.get("schema", {})
    kinds = schema.get("anyOf", [])
    if len(kinds) == 2 and {"type": "null"} in kinds:
        (given,) = [kind for kind in kinds if kind != {"type": "null"}]
        del schema["anyOf"]
        schema.update(given)
