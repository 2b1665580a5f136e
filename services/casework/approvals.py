"""Supervisor approval as its own step: closing a case, declaring it inadmissible, and
referring without the child's consent are asked for (with a reason) and then approved or
rejected (with a reason) by a supervisor; approving carries the step out.
"""

from __future__ import annotations

import uuid
from typing import Literal

from sqlmodel import col, select

from services.casework.db import Approval, Case, Referral
from services.casework.desk import acting_on
from services.casework.errors import NotFoundOnCase, NotNow, RoleNotAllowed, StepNotAllowed
from services.casework.milestones import reach
from services.casework.model import TRANSITIONS
from services.casework.procedure import Actor, Tools, move, record
from services.casework.protection import refer, referral_changed
from shared.auth import StaffPrincipal
from shared.clock import utcnow
from shared.db.uow import UnitOfWork
from shared.ids import new_id
from shared.runtime import Runtime

Kind = Literal["close", "declare_inadmissible", "consent_override"]


async def _ask(
    uow: UnitOfWork,
    tools: Tools,
    who: StaffPrincipal,
    case: Case,
    kind: str,
    reason: str,
    referral_id: uuid.UUID | None = None,
) -> Approval:
    now = utcnow()
    sealed = await tools.fields.seal(uow.session, case.complaint_id, "approval", reason)
    assert sealed is not None  # noqa: S101 - a reason is required
    approval = Approval(
        approval_id=new_id(),
        case_id=case.case_id,
        kind=kind,
        status="requested",
        requested_by=who.subject,
        requested_at=now,
        reason=sealed,
        referral_id=referral_id,
    )
    uow.session.add(approval)
    await record(uow, tools, case, who.subject, f"approval_requested:{kind}", reason, at=now)
    return approval


async def request_step(
    runtime: Runtime,
    tools: Tools,
    who: StaffPrincipal,
    case_id: uuid.UUID,
    *,
    kind: str,
    reason: str,
) -> Approval:
    """Ask a supervisor to approve closing the case or declaring it inadmissible."""
    async with runtime.uow() as uow:
        case = await acting_on(uow, who, case_id)
        if case.status not in TRANSITIONS[kind].sources:
            raise StepNotAllowed(kind)
        approval = await _ask(uow, tools, who, case, kind, reason)
        await uow.commit()
    return approval


async def request_referral(
    runtime: Runtime,
    tools: Tools,
    who: StaffPrincipal,
    case_id: uuid.UUID,
    *,
    service: str,
    consent: bool,
    reason: str | None,
) -> Referral:
    """Refer the case; without consent, also ask a supervisor for the override."""
    async with runtime.uow() as uow:
        case = await acting_on(uow, who, case_id)
        referral = await refer(
            uow, tools, who, case, service=service, consent=consent, reason=reason
        )
        if not consent:
            why = reason or "referral without the child's recorded consent"
            await _ask(uow, tools, who, case, "consent_override", why, referral.referral_id)
        await uow.commit()
    return referral


async def pending(runtime: Runtime) -> list[Approval]:
    """Every approval still waiting for a supervisor, oldest first."""
    async with runtime.sessions() as session:
        query = select(Approval).where(col(Approval.status) == "requested")
        return list((await session.exec(query.order_by(col(Approval.requested_at)))).all())


async def decide(
    runtime: Runtime,
    tools: Tools,
    who: StaffPrincipal,
    case_id: uuid.UUID,
    approval_id: uuid.UUID,
    *,
    approve: bool,
    reason: str,
    version: int,
) -> Approval:
    """A supervisor approves (carrying the step out) or rejects, with a reason."""
    if not who.has_any("supervisor"):
        raise RoleNotAllowed("approve")
    async with runtime.uow() as uow:
        case = await acting_on(uow, who, case_id)
        approval = await uow.session.get(Approval, approval_id)
        if approval is None or approval.case_id != case_id:
            raise NotFoundOnCase(str(approval_id))
        if approval.status != "requested":
            raise NotNow(str(approval_id))
        if approve:
            await _carry_out(uow, tools, who, case, approval, reason, version)
        await _settle(uow, tools, who, case, approval, approve, reason)
        await uow.commit()
    return approval


async def _settle(
    uow: UnitOfWork,
    tools: Tools,
    who: StaffPrincipal,
    case: Case,
    approval: Approval,
    approve: bool,
    reason: str,
) -> None:
    now = utcnow()
    approval.status = "approved" if approve else "rejected"
    approval.decided_by, approval.decided_at = who.subject, now
    approval.decision_reason = await tools.fields.seal(
        uow.session, case.complaint_id, "approval_decision", reason
    )
    uow.session.add(approval)
    action = f"approval_{approval.status}:{approval.kind}"
    await record(uow, tools, case, who.subject, action, reason, at=now)


async def _carry_out(
    uow: UnitOfWork,
    tools: Tools,
    who: StaffPrincipal,
    case: Case,
    approval: Approval,
    reason: str,
    version: int,
) -> None:
    if approval.kind == "consent_override":
        referral = await uow.session.get(Referral, approval.referral_id)
        if referral is None or referral.status != "blocked":
            raise NotNow(str(approval.approval_id))
        referral.status, referral.updated_at = "requested", utcnow()
        uow.session.add(referral)
        uow.emit(referral_changed(case, referral, who.subject), subject=str(case.complaint_id))
        await reach(uow, case, "referred", referral.service, referral.updated_at)
        return
    actor = Actor(who.subject, who.roles)
    await move(
        uow,
        tools,
        case,
        approval.kind,
        actor,
        reason=reason,
        expected_version=version,
        now=utcnow(),
    )
