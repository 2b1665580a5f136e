"""Casework, declared: reads `complaints` and `triage`, emits `cases`; its clocks' scheduler
runs beside the consumer. Staff sign-in is a process of its own (`services.casework.signin`),
the only one holding the staff-token issuer's key."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import cast

from fastapi import FastAPI

from services.casework.app import create_app
from services.casework.batch import prefetch_casework
from services.casework.handlers import HANDLERS
from services.casework.procedure import Tools
from services.casework.scheduler import run_scheduler
from services.casework.settings import CaseworkSettings
from shared.runtime import Runtime
from shared.service import Service


def _settings(runtime: Runtime) -> CaseworkSettings:
    return cast(CaseworkSettings, runtime.settings)


def _tools(runtime: Runtime) -> Tools:
    return Tools(runtime.fields, _settings(runtime).clocks())


def _api(settings: CaseworkSettings) -> FastAPI:
    # The scheduler runs once per service, beside the consumer, not in every API process.
    return create_app(settings.model_copy(update={"run_scheduler": False}))


async def _schedule(runtime: Runtime, stop: asyncio.Event) -> None:
    if _settings(runtime).run_scheduler:
        await run_scheduler(runtime, _settings(runtime), stop)


SERVICE: Service[CaseworkSettings] = Service(
    name="casework",
    settings=CaseworkSettings,
    migrations=Path(__file__).parent / "migrations",
    create_app=_api,
    handlers=HANDLERS,
    prefetch=prefetch_casework,
    state=_tools,
    background=(_schedule,),
)
