"""Audit, declared: reads every topic and every dead-letter topic, hashing each record; opens
only `statistics`; integrates the log and signs checkpoints beside its consumer."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import cast

from fastapi import FastAPI

from services.audit.app import create_app
from services.audit.integrator import run_integrator
from services.audit.processor import AuditProcessor
from services.audit.settings import AuditSettings
from shared.bus.processing import RecordProcessor
from shared.bus.topics import all_topics
from shared.runtime import Runtime
from shared.service import Service


def _processor(runtime: Runtime) -> RecordProcessor:
    return AuditProcessor(runtime.codec)


def _api(settings: AuditSettings) -> FastAPI:
    # The integrator runs once per service, beside the consumer, not in every API process.
    return create_app(settings, integrate=False)


async def _integrate(runtime: Runtime, stop: asyncio.Event) -> None:
    await run_integrator(runtime, cast(AuditSettings, runtime.settings), stop)


SERVICE: Service[AuditSettings] = Service(
    name="audit",
    settings=AuditSettings,
    migrations=Path(__file__).parent / "migrations",
    create_app=_api,
    processor=_processor,
    topics=tuple(all_topics()),
    opens=("statistics",),
    background=(_integrate,),
)
