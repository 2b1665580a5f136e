"""Triage, declared: reads `complaints`, emits `triage`."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from services.triage.app import create_app
from services.triage.batch import prefetch_triage
from services.triage.handlers import HANDLERS, triage_context
from services.triage.settings import TriageSettings
from shared.service import Service

SERVICE: Service[TriageSettings] = Service(
    name="triage",
    settings=TriageSettings,
    migrations=Path(__file__).parent / "migrations",
    create_app=create_app,
    handlers=HANDLERS,
    prefetch=prefetch_triage,
    state=lambda runtime: triage_context(runtime, cast(TriageSettings, runtime.settings)),
)
