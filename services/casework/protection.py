"""Protecting the child while the case runs: interim measures and referrals to other services
(police, health, social services, education, content removal and hotlines).

A referral needs the child's recorded consent; without it, it waits (`blocked`) until a
supervisor approves an override with a reason (see approvals.py).
"""

from __future__ import annotations

import uuid
from typing import Literal

from services.casework.db import Case, Measure, Referral
from services.casework.desk import acting_on
from services.casework.errors import NotFoundOnCase, NotNow
from services.casework.milestones import reach
from services.casework.procedure import Tools, record
from shared.auth import StaffPrincipal
from shared.clock import utcnow
from shared.db.uow import UnitOfWork
from shared.events.contracts import InterimMeasuresTaken, ReferralChanged
from shared.ids import new_id
from shared.runtime import Runtime

Service = Literal["police", "health", "social", "education", "content_removal", "hotline"]
DIRECTORY: dict[str, str] = {
    "police": "Police child protection unit",
    "health": "Child and adolescent health services",
    "social": "Social services (child protection)",
    "education": "Education authority",
    "content_removal": "Online content removal (platform trust and safety)",
    "hotline": "Child sexual abuse material hotline",
}
ReferralStatus = Literal["blocked", "requested", "accepted", "rejected", "done", "revoked"]
# status -> the statuses it may move to by a case worker's hand (blocked moves by approval)
REFERRAL_MOVES: dict[str, frozenset[str]] = {
    "requested": frozenset({"accepted", "rejected", "revoked"}),
    "accepted": frozenset({"done", "revoked"}),
}


async def take_measure(
    runtime: Runtime, tools: Tools, who: StaffPrincipal, case_id: uuid.UUID, *, what: str
) -> uuid.UUID:
    """Record an interim measure taken to protect the child (what, by whom, when)."""
    async with runtime.uow() as uow:
        case = await acting_on(uow, who, case_id)
        measure_id, now = new_id(), utcnow()
        sealed = await tools.fields.seal(uow.session, case.complaint_id, "measure", what)
        assert sealed is not None  # noqa: S101 - `what` is required
        uow.session.add(
            Measure(
                measure_id=measure_id,
                case_id=case_id,
                what=sealed,
                taken_by=who.subject,
                taken_at=now,
            )
        )
        await record(uow, tools, case, who.subject, "interim_measures", what, at=now)
        uow.emit(
            InterimMeasuresTaken(
                case_id=case_id,
                complaint_id=case.complaint_id,
                measure_id=measure_id,
                taken_by=who.subject,
                taken_at=now,
            ),
            subject=str(case.complaint_id),
        )
        await uow.commit()
    return measure_id


def referral_changed(case: Case, referral: Referral, who: str) -> ReferralChanged:
    """The event telling where `referral` now stands."""
    return ReferralChanged(
        case_id=case.case_id,
        complaint_id=case.complaint_id,
        referral_id=referral.referral_id,
        service=referral.service,
        status=referral.status,
        changed_by=who,
        changed_at=referral.updated_at,
        consent=referral.consent,
    )


async def refer(
    uow: UnitOfWork,
    tools: Tools,
    who: StaffPrincipal,
    case: Case,
    *,
    service: str,
    consent: bool,
    reason: str | None,
) -> Referral:
    """Ask `service` to act; without consent the referral waits for a supervisor's override."""
    now = utcnow()
    referral = Referral(
        referral_id=new_id(),
        case_id=case.case_id,
        service=service,
        status="requested" if consent else "blocked",
        consent=consent,
        requested_by=who.subject,
        updated_at=now,
    )
    uow.session.add(referral)
    await record(uow, tools, case, who.subject, f"referral_{referral.status}", reason, at=now)
    if consent:
        uow.emit(referral_changed(case, referral, who.subject), subject=str(case.complaint_id))
        await reach(uow, case, "referred", service, now)
    return referral


async def move_referral(
    runtime: Runtime,
    tools: Tools,
    who: StaffPrincipal,
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    status: str,
) -> Referral:
    """Record the service's answer (accepted, rejected, done) or revoke the referral."""
    async with runtime.uow() as uow:
        case = await acting_on(uow, who, case_id)
        referral = await uow.session.get(Referral, referral_id)
        if referral is None or referral.case_id != case_id:
            raise NotFoundOnCase(str(referral_id))
        if status not in REFERRAL_MOVES.get(referral.status, frozenset()):
            raise NotNow(status)
        referral.status, referral.updated_at = status, utcnow()
        uow.session.add(referral)
        await record(
            uow, tools, case, who.subject, f"referral_{status}", None, at=referral.updated_at
        )
        uow.emit(referral_changed(case, referral, who.subject), subject=str(case.complaint_id))
        await uow.commit()
    return referral
