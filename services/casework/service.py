"""How casework runs: consumes `complaints` and `triage`, emits `cases`."""

from __future__ import annotations

from pathlib import Path

from services.casework.app import create_app
from services.casework.handlers import handlers
from services.casework.procedure import Tools
from services.casework.settings import CaseworkSettings
from shared.bus.processing import EventDispatcher, RecordProcessor
from shared.runner import ServiceSpec
from shared.runtime import Runtime


def _processor(runtime: Runtime, settings: CaseworkSettings) -> RecordProcessor:
    table = handlers(Tools(runtime.fields, settings.clocks()))
    return EventDispatcher(runtime.codec, {c.type_name: h for c, h in table.items()})


SPEC: ServiceSpec[CaseworkSettings] = ServiceSpec(
    name="casework",
    settings=CaseworkSettings,
    migrations=Path(__file__).parent / "migrations",
    create_app=create_app,
    subscribes=("complaints", "triage"),
    processor=_processor,
)
