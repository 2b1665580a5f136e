"""Decisions and the recommendations register: findings, the child's views and how they were
weighed (CRC art. 12, OPIC art. 2), recommendations to duty-bearers with due dates and
responses, followed up until implemented or escalated. And the flag for a suspected
manipulation of an on-behalf complaint (OPIC art. 3(2)), which asks to hear the child directly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from services.casework.db import ComplaintRecord, Decision, Recommendation
from services.casework.desk import acting_on
from services.casework.errors import NotFoundOnCase, NotNow
from services.casework.explanations import hear_directly
from services.casework.procedure import Actor, Tools, move, record
from shared.auth import StaffPrincipal
from shared.clock import utcnow
from shared.events.contracts import DecisionRecorded, MessageToChild
from shared.ids import new_id
from shared.runtime import Runtime

RecommendationStatus = Literal["open", "implemented", "escalated"]


@dataclass(frozen=True)
class Asked:
    """One recommendation to a duty-bearer, due within `due_in_days`."""

    duty_bearer: str
    text: str
    due_in_days: int


@dataclass(frozen=True)
class Findings:
    """What a decision says, and how the child's views were weighed."""

    findings: str
    child_views: str
    views_weighed: str
    recommendations: list[Asked]


async def decide_case(
    runtime: Runtime,
    tools: Tools,
    who: StaffPrincipal,
    case_id: uuid.UUID,
    found: Findings,
    *,
    version: int,
) -> uuid.UUID:
    """Take the `decide` step with its findings, views and recommendations, in one go."""
    async with runtime.uow() as uow:
        case = await acting_on(uow, who, case_id)
        now, seal, session = utcnow(), tools.fields.seal, uow.session
        await move(
            uow,
            tools,
            case,
            "decide",
            Actor(who.subject, who.roles),
            reason=found.findings,
            expected_version=version,
            now=now,
        )
        decision_id = new_id()
        sealed = [
            await seal(session, case.complaint_id, name, text) or b""
            for name, text in (
                ("findings", found.findings),
                ("child_views", found.child_views),
                ("views_weighed", found.views_weighed),
            )
        ]
        session.add(
            Decision(
                decision_id=decision_id,
                case_id=case_id,
                findings=sealed[0],
                child_views=sealed[1],
                views_weighed=sealed[2],
                decided_by=who.subject,
                decided_at=now,
            )
        )
        for asked in found.recommendations:
            text = await seal(session, case.complaint_id, "recommendation", asked.text) or b""
            session.add(
                Recommendation(
                    recommendation_id=new_id(),
                    case_id=case_id,
                    decision_id=decision_id,
                    duty_bearer=asked.duty_bearer,
                    text=text,
                    due_at=now + timedelta(days=asked.due_in_days),
                    status="open",
                )
            )
        uow.emit(
            DecisionRecorded(
                case_id=case_id,
                complaint_id=case.complaint_id,
                decision_id=decision_id,
                decided_by=who.subject,
                decided_at=now,
                recommendations=len(found.recommendations),
            ),
            subject=str(case.complaint_id),
        )
        await uow.commit()
    return decision_id


async def follow_recommendation(
    runtime: Runtime,
    tools: Tools,
    who: StaffPrincipal,
    case_id: uuid.UUID,
    recommendation_id: uuid.UUID,
    *,
    status: str,
    response: str | None,
) -> Recommendation:
    """Record the duty-bearer's response: implemented, or escalated (or still open)."""
    async with runtime.uow() as uow:
        case = await acting_on(uow, who, case_id)
        row = await uow.session.get(Recommendation, recommendation_id)
        if row is None or row.case_id != case_id:
            raise NotFoundOnCase(str(recommendation_id))
        if row.status != "open":
            raise NotNow(str(recommendation_id))
        row.status = status
        row.response = await tools.fields.seal(
            uow.session, case.complaint_id, "recommendation_response", response
        )
        uow.session.add(row)
        await record(
            uow, tools, case, who.subject, f"recommendation_{status}", response, at=utcnow()
        )
        await uow.commit()
    return row


async def flag_manipulation(
    runtime: Runtime, tools: Tools, who: StaffPrincipal, case_id: uuid.UUID, *, reason: str
) -> None:
    """Flag a suspected manipulation of an on-behalf complaint and ask to hear the child."""
    async with runtime.uow() as uow:
        case = await acting_on(uow, who, case_id)
        child = await uow.session.get(ComplaintRecord, case.complaint_id)
        now = utcnow()
        await record(uow, tools, case, who.subject, "manipulation_suspected", reason, at=now)
        uow.emit(
            MessageToChild(
                case_id=case_id,
                complaint_id=case.complaint_id,
                message_id=new_id(),
                sent_at=now,
                body=hear_directly(child.language if child else None),
                asks_for_information=True,
            ),
            subject=str(case.complaint_id),
        )
        await uow.commit()
