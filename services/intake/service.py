"""How intake runs: serves the public API, emits `complaints`, consumes `cases`."""

from __future__ import annotations

from pathlib import Path

from services.intake.app import create_app
from services.intake.handlers import handlers
from services.intake.settings import IntakeSettings
from shared.bus.processing import EventDispatcher, RecordProcessor
from shared.runner import ServiceSpec
from shared.runtime import Runtime


def _processor(runtime: Runtime, _settings: IntakeSettings) -> RecordProcessor:
    table = handlers(runtime.fields)
    return EventDispatcher(runtime.codec, {c.type_name: h for c, h in table.items()})


SPEC: ServiceSpec[IntakeSettings] = ServiceSpec(
    name="intake",
    settings=IntakeSettings,
    migrations=Path(__file__).parent / "migrations",
    create_app=create_app,
    subscribes=("cases",),
    processor=_processor,
)
