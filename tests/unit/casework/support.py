"""Helpers for casework's unit tests: triage decisions delivered as the consumer would."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import col, select

from services.casework.bootstrap import SERVICE as CASEWORK
from services.casework.procedure import Tools
from services.casework.settings import CaseworkSettings
from shared.auth import TokenIssuer
from shared.bus.outbox import OutboxMessage
from shared.clock import utcnow
from shared.events.codec import EventCodec
from shared.events.contracts import ComplaintTriaged, EventData
from shared.events.record import KafkaRecord
from shared.ids import new_id
from shared.runtime import Runtime
from tests.support.consumed import handle_record

E = TypeVar("E", bound=EventData)


def triaged(
    *,
    complaint_id: uuid.UUID | None = None,
    queue: str = "protection",
    priority: int = 2,
    respond_in: timedelta = timedelta(hours=48),
    now: datetime | None = None,
) -> ComplaintTriaged:
    """A triage decision for a (new) complaint."""
    decided = now or utcnow()
    return ComplaintTriaged(
        complaint_id=complaint_id or new_id(),
        triaged_at=decided,
        category="violence",
        urgency="urgent",
        priority=priority,
        queue=queue,
        respond_by=decided + respond_in,
        reasons=["keyword: hits me"],
        rule_set="default-v1",
    )


def tools(runtime: Runtime) -> Tools:
    """Casework's tools on `runtime`, with the default clocks."""
    return Tools(runtime.fields, CaseworkSettings().clocks())


async def deliver(runtime: Runtime, codec: EventCodec, event: ComplaintTriaged) -> bool:
    """Encode `event` as triage would and deliver it; True if casework applied it."""
    return await deliver_record(runtime, codec.encode(event, subject=str(event.complaint_id)))


async def deliver_record(runtime: Runtime, record: KafkaRecord) -> bool:
    """Deliver `record` to casework's real consumer loop; True if it was applied."""
    return await handle_record(runtime, CASEWORK, record)


def bearer(issuer: TokenIssuer, subject: str, *roles: str, **claims: Any) -> dict[str, str]:
    """Headers of a request by `subject` holding `roles`."""
    return {"Authorization": f"Bearer {issuer.issue(subject, set(roles), **claims)}"}


async def emitted(runtime: Runtime, kind: type[E]) -> list[E]:
    """The events of `kind` casework has put in its outbox, oldest first."""
    async with runtime.sessions() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.seq)))).all()
    decode = runtime.codec.decode
    events = [decode(r.topic, r.key, r.to_record().headers, r.value).data for r in rows]
    return [e for e in events if isinstance(e, kind)]
