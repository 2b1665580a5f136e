"""Helpers for casework's unit tests: triage decisions delivered as the consumer would."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
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


class Desk:
    """One case driven through the API by a case worker (ana) and a supervisor (sam)."""

    def __init__(self, client: httpx.AsyncClient, issuer: TokenIssuer, case_id: str) -> None:
        self.client, self.case = client, f"/api/v1/cases/{case_id}"
        self.ana = bearer(issuer, "ana", "caseworker")
        self.sam = bearer(issuer, "sam", "supervisor")

    async def post(self, path: str, body: dict[str, Any], who: str = "ana") -> httpx.Response:
        headers = self.ana if who == "ana" else self.sam
        return await self.client.post(f"{self.case}{path}", json=body, headers=headers)

    async def version(self) -> int:
        return int((await self.client.get(self.case, headers=self.sam)).json()["version"])

    async def step(self, action: str, reason: str | None = "noted") -> None:
        body = {"action": action, "version": await self.version(), "reason": reason}
        answer = await self.post("/steps", body)
        assert answer.status_code == 200, (action, answer.text)

    async def examine(self, reason: str = "noted") -> None:
        """Claim the case and take it from received to examination."""
        assert (await self.post("/assignment", {"version": 1})).status_code == 200
        await self.step("acknowledge", None)
        for action in ("review", "declare_admissible", "transmit", "examine"):
            await self.step(action, reason)

    async def decide(self, texts: dict[str, str], *recommendations: dict[str, Any]) -> None:
        """Record the decision `texts` (findings, child_views, views_weighed)."""
        decision = {
            **{k: texts[k] for k in ("findings", "child_views", "views_weighed")},
            "recommendations": list(recommendations),
            "version": await self.version(),
        }
        assert (await self.post("/decision", decision)).status_code == 201
