"""Intake, declared: serves the public API, emits `complaints`, reads `cases`."""

from __future__ import annotations

from pathlib import Path

from services.intake.app import create_app
from services.intake.case_events import prefetch_case_events
from services.intake.handlers import HANDLERS
from services.intake.settings import IntakeSettings
from shared.service import Service

SERVICE: Service[IntakeSettings] = Service(
    name="intake",
    settings=IntakeSettings,
    migrations=Path(__file__).parent / "migrations",
    create_app=create_app,
    handlers=HANDLERS,
    prefetch=prefetch_case_events,
)
