"""Every Heard service, in the order a complaint meets them: the one list the CLI, the keyring,
`heard status`, the benchmark and the tests read."""

from __future__ import annotations

from typing import Any

from services.audit.bootstrap import SERVICE as AUDIT
from services.casework.bootstrap import SERVICE as CASEWORK
from services.intake.bootstrap import SERVICE as INTAKE
from services.triage.bootstrap import SERVICE as TRIAGE
from shared.service import Service

SERVICES: tuple[Service[Any], ...] = (INTAKE, TRIAGE, CASEWORK, AUDIT)
NAMES: tuple[str, ...] = tuple(s.name for s in SERVICES)


def service(name: str) -> Service[Any]:
    """The declaration of the service called `name`; KeyError if there is none."""
    return {s.name: s for s in SERVICES}[name]
