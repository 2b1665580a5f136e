"""Audit's apply step: what was observed joins the batch's appends to the log.

The leaves of one consumer batch are appended together at commit (one lock, one INSERT); each
still gets its own "audit append" span, in the trace of the event it records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from services.audit.db import append_entries
from services.audit.model import Observation
from shared.bus.processing import Apply
from shared.db.uow import UnitOfWork
from shared.telemetry import context_from_traceparent, current_traceparent, tracer


@dataclass(frozen=True)
class _Leaf:
    observation: Observation
    traceparent: str | None


class LogAppender:
    """The log's deferred writer: appends a batch's leaves in order, then traces each."""

    async def write(self, session: AsyncSession, items: Sequence[_Leaf]) -> None:
        """Append the leaves at consecutive positions."""
        first = await append_entries(session, [leaf.observation for leaf in items])
        for offset, leaf in enumerate(items):
            context = context_from_traceparent(leaf.traceparent)
            with tracer().start_as_current_span("audit append", context=context) as span:
                span.set_attribute("heard.audit.position", first + offset)


APPENDER = LogAppender()


def append(traceparent: str | None, *observations: Observation) -> Apply:
    """The apply step for one record: its leaves (the record's, and a commitment it
    carries) at the next positions of its batch.

    Their spans join the consumer's span when there is one, else the record's own trace.
    """

    async def apply(uow: UnitOfWork) -> None:
        for observation in observations:
            uow.defer(APPENDER, _Leaf(observation, current_traceparent() or traceparent))

    return apply
