"""How casework runs: consumes `triage`, emits `cases`."""

from __future__ import annotations

from pathlib import Path

from services.casework.app import create_app
from services.casework.handlers import handlers
from services.casework.settings import CaseworkSettings
from shared.bus.processing import EventDispatcher, RecordProcessor
from shared.runner import ServiceSpec
from shared.runtime import Runtime


def _processor(runtime: Runtime, _settings: CaseworkSettings) -> RecordProcessor:
    return EventDispatcher(runtime.codec, handlers())


SPEC: ServiceSpec[CaseworkSettings] = ServiceSpec(
    name="casework",
    settings=CaseworkSettings,
    migrations=Path(__file__).parent / "migrations",
    create_app=create_app,
    subscribes=("triage",),
    processor=_processor,
)
