"""Every API keeps its OpenAPI contract: schemathesis drives each service's real app (lifespan,
SQLite database, keys) with generated requests, valid and invalid, and runs all its checks on
every answer: no 500, every status and body documented, invalid input refused, valid accepted.

Staff routes are called with a token naming every role, so the checks reach past sign-in; the
runs are derandomised, so a failure here fails the same way every time."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis import BaseSchema
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.python import asgi

from services.audit.app import create_app as audit_app
from services.audit.settings import AuditSettings
from services.casework.app import create_app as casework_app
from services.casework.settings import CaseworkSettings
from services.intake.app import create_app as intake_app
from services.intake.settings import IntakeSettings
from services.registry import service
from services.triage.app import create_app as triage_app
from services.triage.settings import TriageSettings
from shared.auth import ensure_issuer_files, load_issuer
from shared.crypto.keyring import new_keyring_document, save_keyring_file
from shared.db.migrations import upgrade

ROLES = {"operator", "caseworker", "supervisor", "auditor", "administrator"}
EXAMPLES = hypothesis.settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)

load_all_checks()
ALL_CHECKS: list[schemathesis.CheckFunction] = [
    check for check in CHECKS.get_all() if not isinstance(check, type)
]


def _accepts(path: str, status: str) -> dict[str, Any]:
    allowed = ["2xx", "3xx", "401", "403", "404", "409", "429", status]
    return {
        "include-path": path,
        "checks": {"positive_data_acceptance": {"expected-statuses": allowed}},
    }


# The apps are built at import, because schemathesis reads their schemas when it collects the
# tests; each one's lifespan (runtime, keys, database) starts on its first request, once the
# module's fixture below has made its keyring and migrated its database.
FOLDER = Path(tempfile.mkdtemp(prefix="heard-contracts-"))
KEYRING = FOLDER / "keyring.json"


def _common(name: str) -> dict[str, Any]:
    return {"database_url": f"sqlite:///{FOLDER / name}.db", "HEARD_KEYRING": KEYRING}


APPS: dict[str, FastAPI] = {
    "intake": intake_app(
        IntakeSettings(
            **_common("intake"), lookup_floor_seconds=0, sms_webhook_secret="contract-secret"
        )
    ),
    "triage": triage_app(TriageSettings(**_common("triage"))),
    "casework": casework_app(
        CaseworkSettings(
            **_common("casework"), run_scheduler=False, pager_file=FOLDER / "pages.jsonl"
        )
    ),
    "audit": audit_app(AuditSettings(**_common("audit")), integrate=False),
}


# Where a request fitting the schema may still be refused for what no schema can say: a rule
# file that does not compile (422), a page cursor this queue did not sign (422), a
# consistency proof from a larger tree to a smaller one (400). Each is still checked
# everywhere else (status documented, body as documented, no 500).
# A body over the size limit is refused with 413 before it is read: a refusal like any other.
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
CONFIG = {
    "checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}},
    "operations": [
        _accepts("/api/v1/triage/rule-set", "422"),
        _accepts("/api/v1/queues/{queue}", "422"),
        _accepts("/log/proofs/consistency", "400"),
    ],
}


def _schema(name: str) -> BaseSchema:
    config = schemathesis.Config.from_dict(CONFIG)
    schema = schemathesis.openapi.from_dict(APPS[name].openapi(), config=config)
    schema.app = APPS[name]
    return schema


@pytest.fixture(scope="module", autouse=True)
def _prepared() -> Iterator[None]:
    """The keyring, the issuer's files and the four migrated databases the apps open."""
    save_keyring_file(KEYRING, new_keyring_document())
    ensure_issuer_files(FOLDER)
    for name in APPS:
        upgrade(f"sqlite:///{FOLDER / name}.db", service(name).migrations)
    yield
    asgi.shutdown_lifespans()
    shutil.rmtree(FOLDER)


@pytest.fixture(scope="module")
def staff() -> dict[str, str]:
    """Headers of a request by a member of staff holding every role."""
    token = load_issuer(FOLDER).issue("contract-tester", ROLES)
    return {"Authorization": f"Bearer {token}"}


@schemathesis.pytest.parametrize(**{name: _schema(name) for name in APPS})
@EXAMPLES
def test_every_api_keeps_its_contract(case: schemathesis.Case[Any], staff: dict[str, str]) -> None:
    case.call_and_validate(headers=staff, checks=ALL_CHECKS)


def _unbounded(schema: Any, components: dict[str, Any], seen: set[str]) -> Iterator[str]:
    """Where in `schema` an integer has no maximum or a free string no maximum length."""
    if isinstance(schema, list):
        for item in schema:
            yield from _unbounded(item, components, seen)
        return
    if not isinstance(schema, dict):
        return
    reference = schema.get("$ref", "").rpartition("/")[2]
    if reference and reference not in seen:
        seen.add(reference)
        yield from _unbounded(components[reference], components, seen)
    free = not ({"enum", "const", "format", "pattern"} & schema.keys())
    if schema.get("type") == "integer" and "maximum" not in schema and free:
        yield f"integer {schema.get('title', '')}"
    if schema.get("type") == "string" and "maxLength" not in schema and free:
        yield f"string {schema.get('title', '')}"
    for key in ("items", "anyOf", "allOf", "oneOf", "schema", "content", "application/json"):
        yield from _unbounded(schema.get(key), components, seen)
    yield from _unbounded(list(schema.get("properties", {}).values()), components, seen)


@pytest.mark.parametrize("name", list(APPS))
def test_every_integer_and_string_a_client_sends_is_bounded(name: str) -> None:
    document = APPS[name].openapi()
    components = document.get("components", {}).get("schemas", {})
    unbounded = [
        f"{method.upper()} {path}: {where}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for given in [operation.get("parameters", []), operation.get("requestBody", {})]
        for where in _unbounded(given, components, set())
    ]
    assert unbounded == []
