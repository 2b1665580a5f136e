"""Audit's one handler: append what was observed to the log, inside the consumer's transaction."""

from __future__ import annotations

from services.audit.db import append_entry
from services.audit.model import Observation
from shared.bus.processing import Apply
from shared.db.uow import UnitOfWork
from shared.telemetry import tracer


def append(observation: Observation) -> Apply:
    """The apply step for one record: a new leaf at the next position, traced."""

    async def apply(uow: UnitOfWork) -> None:
        with tracer().start_as_current_span("audit append") as span:
            position = await append_entry(uow.session, observation)
            span.set_attribute("heard.audit.position", position)

    return apply
