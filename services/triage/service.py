"""How triage runs: consumes `complaints`, emits `triage`."""

from __future__ import annotations

from pathlib import Path

from services.triage.app import create_app
from services.triage.handlers import handlers, triage_context
from services.triage.settings import TriageSettings
from shared.bus.processing import EventDispatcher, RecordProcessor
from shared.runner import ServiceSpec
from shared.runtime import Runtime


def _processor(runtime: Runtime, settings: TriageSettings) -> RecordProcessor:
    return EventDispatcher(runtime.codec, handlers(triage_context(runtime, settings)))


SPEC: ServiceSpec[TriageSettings] = ServiceSpec(
    name="triage",
    settings=TriageSettings,
    migrations=Path(__file__).parent / "migrations",
    create_app=create_app,
    subscribes=("complaints",),
    processor=_processor,
)
