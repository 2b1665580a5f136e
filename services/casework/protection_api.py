"""Routes for protecting the child and deciding: interim measures, referrals, supervisor
approvals, decisions with the child's views, the recommendations register, the flag for a
suspected manipulation."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from services.casework import approvals, decisions, dossier, protection
from services.casework.approvals import Kind
from services.casework.cases_api import ERRORS, MAX_VERSION, Staff, runtime_of, tools_of
from services.casework.dossier_pdf import render_pdf
from services.casework.protection import DIRECTORY, Service
from services.casework.register import Entry, register
from shared.auth import StaffPrincipal
from shared.clock import utcnow
from shared.web.staff import require_roles

router = APIRouter(prefix="/api/v1")
Text = Annotated[str, Field(min_length=1, max_length=4000)]
Supervisor = Annotated[StaffPrincipal, Depends(require_roles("supervisor"))]


class MeasureTaken(BaseModel):
    """What was done to protect the child."""

    what: Text


class ReferralAsked(BaseModel):
    """A referral to a service in the directory; `consent`: the child's recorded consent."""

    service: Service
    consent: bool
    reason: str | None = Field(default=None, max_length=4000)


class ReferralMoved(BaseModel):
    """The service's answer, or a revocation."""

    status: Literal["accepted", "rejected", "done", "revoked"]


class ApprovalAsked(BaseModel):
    """Ask a supervisor to approve closing or inadmissibility."""

    kind: Literal["close", "declare_inadmissible"]
    reason: Text


class ApprovalDecided(BaseModel):
    """A supervisor's answer; `version` is the case version they read."""

    approve: bool
    reason: Text
    version: int = Field(ge=1, le=MAX_VERSION)


class RecommendationAsked(BaseModel):
    """A recommendation to a duty-bearer."""

    duty_bearer: str = Field(min_length=1, max_length=200)
    text: Text
    due_in_days: int = Field(ge=1, le=730)


class DecisionTaken(BaseModel):
    """The decision: findings, the child's views and how they were weighed."""

    findings: Text
    child_views: Text
    views_weighed: Text
    recommendations: list[RecommendationAsked] = Field(default_factory=list, max_length=50)
    version: int = Field(ge=1, le=MAX_VERSION)


class RecommendationFollowed(BaseModel):
    """The duty-bearer's response."""

    status: Literal["implemented", "escalated"]
    response: str | None = Field(default=None, max_length=4000)


class Flagged(BaseModel):
    """Why a manipulation of an on-behalf complaint is suspected."""

    reason: Text


class Created(BaseModel):
    """The id of what was created, and its status."""

    id: uuid.UUID
    status: str


@router.get("/referral-directory")
async def referral_directory(_who: Staff) -> dict[str, str]:
    """The services a case can be referred to."""
    return DIRECTORY


@router.post("/cases/{case_id}/measures", status_code=201, responses=ERRORS)
async def take_measure(
    case_id: uuid.UUID, body: MeasureTaken, request: Request, who: Staff
) -> Created:
    """Record an interim measure (what, by whom, when)."""
    made = await protection.take_measure(
        runtime_of(request), tools_of(request), who, case_id, what=body.what
    )
    return Created(id=made, status="taken")


@router.post("/cases/{case_id}/referrals", status_code=201, responses=ERRORS)
async def refer(case_id: uuid.UUID, body: ReferralAsked, request: Request, who: Staff) -> Created:
    """Refer the case; without consent it is `blocked` until a supervisor approves."""
    made = await approvals.request_referral(
        runtime_of(request),
        tools_of(request),
        who,
        case_id,
        service=body.service,
        consent=body.consent,
        reason=body.reason,
    )
    return Created(id=made.referral_id, status=made.status)


@router.post("/cases/{case_id}/referrals/{referral_id}", responses=ERRORS)
async def move_referral(
    case_id: uuid.UUID, referral_id: uuid.UUID, body: ReferralMoved, request: Request, who: Staff
) -> Created:
    """Record the service's answer or revoke the referral."""
    moved = await protection.move_referral(
        runtime_of(request), tools_of(request), who, case_id, referral_id, body.status
    )
    return Created(id=moved.referral_id, status=moved.status)


@router.post("/cases/{case_id}/approvals", status_code=201, responses=ERRORS)
async def ask_approval(
    case_id: uuid.UUID, body: ApprovalAsked, request: Request, who: Staff
) -> Created:
    """Ask a supervisor to approve closing the case or declaring it inadmissible."""
    asked = await approvals.request_step(
        runtime_of(request), tools_of(request), who, case_id, kind=body.kind, reason=body.reason
    )
    return Created(id=asked.approval_id, status=asked.status)


@router.post("/cases/{case_id}/approvals/{approval_id}", responses=ERRORS)
async def decide_approval(
    case_id: uuid.UUID,
    approval_id: uuid.UUID,
    body: ApprovalDecided,
    request: Request,
    who: Staff,
) -> Created:
    """A supervisor approves (carrying the step out) or rejects, with a reason."""
    done = await approvals.decide(
        runtime_of(request),
        tools_of(request),
        who,
        case_id,
        approval_id,
        approve=body.approve,
        reason=body.reason,
        version=body.version,
    )
    return Created(id=done.approval_id, status=done.status)


class PendingApproval(BaseModel):
    """An approval waiting for a supervisor."""

    approval_id: uuid.UUID
    case_id: uuid.UUID
    kind: Kind
    requested_by: str


@router.get("/approvals", responses=ERRORS)
async def pending_approvals(request: Request, _who: Supervisor) -> list[PendingApproval]:
    """Every approval waiting for a supervisor, oldest first."""
    rows = await approvals.pending(runtime_of(request))
    return [PendingApproval.model_validate(r, from_attributes=True) for r in rows]


@router.post("/cases/{case_id}/decision", status_code=201, responses=ERRORS)
async def decide(case_id: uuid.UUID, body: DecisionTaken, request: Request, who: Staff) -> Created:
    """Decide: findings, the child's views, how they were weighed, recommendations."""
    found = decisions.Findings(
        body.findings,
        body.child_views,
        body.views_weighed,
        [decisions.Asked(r.duty_bearer, r.text, r.due_in_days) for r in body.recommendations],
    )
    made = await decisions.decide_case(
        runtime_of(request), tools_of(request), who, case_id, found, version=body.version
    )
    return Created(id=made, status="decided")


@router.post("/cases/{case_id}/recommendations/{recommendation_id}", responses=ERRORS)
async def follow_recommendation(
    case_id: uuid.UUID,
    recommendation_id: uuid.UUID,
    body: RecommendationFollowed,
    request: Request,
    who: Staff,
) -> Created:
    """Record the duty-bearer's response to a recommendation."""
    row = await decisions.follow_recommendation(
        runtime_of(request),
        tools_of(request),
        who,
        case_id,
        recommendation_id,
        status=body.status,
        response=body.response,
    )
    return Created(id=row.recommendation_id, status=row.status)


Overseer = Annotated[StaffPrincipal, Depends(require_roles("supervisor", "auditor"))]


@router.get("/recommendations", responses=ERRORS)
async def recommendation_register(
    request: Request,
    _who: Overseer,
    status: Annotated[Literal["open", "implemented", "escalated"] | None, Query()] = None,
) -> list[Entry]:
    """The register of recommendations to duty-bearers: open first, longest overdue first."""
    async with runtime_of(request).sessions() as session:
        return await register(session, utcnow(), status)


@router.post("/cases/{case_id}/manipulation", status_code=201, responses=ERRORS)
async def flag_manipulation(
    case_id: uuid.UUID, body: Flagged, request: Request, who: Staff
) -> Created:
    """Flag a suspected manipulation of an on-behalf complaint; the child is asked directly."""
    await decisions.flag_manipulation(
        runtime_of(request), tools_of(request), who, case_id, reason=body.reason
    )
    return Created(id=case_id, status="flagged")


@router.get("/cases/{case_id}/dossier.json", responses=ERRORS)
async def dossier_json(case_id: uuid.UUID, request: Request, who: Staff) -> dict[str, Any]:
    """The signed chronology of a closed case (an access to the child's data, logged)."""
    return await dossier.build(runtime_of(request), who, case_id)


@router.get(
    "/cases/{case_id}/dossier.pdf",
    responses={**ERRORS, 200: {"content": {"application/pdf": {}}}},
    response_class=Response,
)
async def dossier_pdf(case_id: uuid.UUID, request: Request, who: Staff) -> Response:
    """The dossier as a PDF; `Heard-Signature` signs its bytes with casework's key."""
    runtime = runtime_of(request)
    document = await dossier.build(runtime, who, case_id)
    # Shaping and font subsetting take a CPU for a moment: off the event loop.
    pdf = await asyncio.to_thread(render_pdf, document)
    signature = dossier.sign_bytes(pdf, runtime.keyring.signing_key("casework"))
    headers = {
        "Heard-Signature": signature,
        "Content-Disposition": f'attachment; filename="dossier-{case_id}.pdf"',
    }
    return Response(pdf, media_type="application/pdf", headers=headers)
