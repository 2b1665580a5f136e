"""Casework, declared: reads `triage`, emits `cases`."""

from __future__ import annotations

from pathlib import Path

from services.casework.app import create_app
from services.casework.handlers import HANDLERS
from services.casework.settings import CaseworkSettings
from shared.service import Service

SERVICE: Service[CaseworkSettings] = Service(
    name="casework",
    settings=CaseworkSettings,
    migrations=Path(__file__).parent / "migrations",
    create_app=create_app,
    handlers=HANDLERS,
)
