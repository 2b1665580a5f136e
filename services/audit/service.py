"""How audit runs: consumes every topic and every dead-letter topic, emits nothing yet."""

from __future__ import annotations

from pathlib import Path

from services.audit.app import create_app
from services.audit.processor import AuditProcessor
from services.audit.settings import AuditSettings
from shared.bus.processing import RecordProcessor
from shared.bus.topics import dlq_topic
from shared.events.contracts import TOPICS
from shared.runner import ServiceSpec
from shared.runtime import Runtime


def _processor(runtime: Runtime, _settings: AuditSettings) -> RecordProcessor:
    return AuditProcessor(runtime.codec)


SPEC: ServiceSpec[AuditSettings] = ServiceSpec(
    name="audit",
    settings=AuditSettings,
    migrations=Path(__file__).parent / "migrations",
    create_app=create_app,
    subscribes=(*TOPICS, *(dlq_topic(t) for t in TOPICS)),
    processor=_processor,
)
