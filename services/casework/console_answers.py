"""The console's forms for answers from outside: a service's answer to a referral (or its
revocation) and a duty-bearer's response to a recommendation (or its escalation). Each
checks the CSRF token and acts through the same functions as the API."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from services.casework import decisions, protection
from services.casework.cases_api import runtime_of, tools_of
from services.casework.console import Who
from services.casework.console_actions import Csrf, MaybeText, act
from services.casework.protection import REFERRAL_MOVES

router = APIRouter(prefix="/console", include_in_schema=False)
REFERRAL_STATUSES = frozenset().union(*REFERRAL_MOVES.values())


@router.post("/cases/{case_id}/referrals/{referral_id}", dependencies=[Csrf])
async def move_referral(
    request: Request,
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    who: Who,
    status: Annotated[str, Form(max_length=16)],
) -> Response:
    """Record the service's answer (accepted, rejected, done) or revoke the referral."""
    if status not in REFERRAL_STATUSES:
        raise HTTPException(422, "status: accepted, rejected, done or revoked")
    return await act(
        request,
        case_id,
        who,
        f"referral-{status}",
        lambda: protection.move_referral(
            runtime_of(request), tools_of(request), who, case_id, referral_id, status
        ),
    )


@router.post("/cases/{case_id}/recommendations/{recommendation_id}", dependencies=[Csrf])
async def follow_recommendation(
    request: Request,
    case_id: uuid.UUID,
    recommendation_id: uuid.UUID,
    who: Who,
    status: Annotated[str, Form(pattern="^(implemented|escalated)$")],
    response: MaybeText = None,
) -> Response:
    """Record the duty-bearer's response to a recommendation, or escalate it."""
    return await act(
        request,
        case_id,
        who,
        f"recommendation-{status}",
        lambda: decisions.follow_recommendation(
            runtime_of(request),
            tools_of(request),
            who,
            case_id,
            recommendation_id,
            status=status,
            response=response or None,
        ),
    )
