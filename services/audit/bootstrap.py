"""Audit, declared: reads every topic and every dead-letter topic, hashing each record."""

from __future__ import annotations

from pathlib import Path

from services.audit.app import create_app
from services.audit.processor import AuditProcessor
from services.audit.settings import AuditSettings
from shared.bus.processing import RecordProcessor
from shared.bus.topics import all_topics
from shared.runtime import Runtime
from shared.service import Service


def _processor(runtime: Runtime) -> RecordProcessor:
    return AuditProcessor(runtime.codec)


SERVICE: Service[AuditSettings] = Service(
    name="audit",
    settings=AuditSettings,
    migrations=Path(__file__).parent / "migrations",
    create_app=create_app,
    processor=_processor,
    topics=tuple(all_topics()),
)
