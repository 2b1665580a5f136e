"""Intake's JSON API (phone console, partners): submit a complaint, look its status up.

The receipt code travels only in request and response bodies (never in a URL, where
proxies and browser histories would keep it), and responses that hold one are not cached.
An `Idempotency-Key` header makes a retried submission return the first one's receipt.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from opentelemetry import trace
from pydantic import BaseModel

from services.intake.blocklist import refuse_blocked
from services.intake.errors import TooManyLookups, TooManySubmissions, UnknownReceipt
from services.intake.handlers import Keys, submit_complaint
from services.intake.idempotency import MAX_KEY_CHARS
from services.intake.model import RECEIVED, CheckStatus, Status, SubmitComplaint
from services.intake.receipt_proof import receipt_for
from services.intake.store import status_by_receipt
from services.intake.throttle import TokenBucketLimiter, hashed_client
from shared.runtime import Runtime

router = APIRouter(prefix="/api/v1")
NO_STORE = "no-store"


class ComplaintReceived(BaseModel):
    """The answer to a stored complaint: its id and the code the child keeps."""

    complaint_id: uuid.UUID
    receipt_code: str
    status: Status
    received_at: datetime


class StatusPublic(BaseModel):
    """Where a complaint stands, as the child sees it."""

    status: Status
    received_at: datetime
    case_opened_at: datetime | None


async def require_json(request: Request) -> None:
    """Refuse with 415 a body not declared as JSON."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json" and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        raise HTTPException(415, "the body must be JSON (Content-Type: application/json)")


def _spend(request: Request, limiter: TokenBucketLimiter) -> float | None:
    runtime: Runtime = request.app.state.runtime
    host = request.client.host if request.client else None
    return limiter.attempt(hashed_client(runtime.lookups, host))


async def throttle_lookups(request: Request) -> None:
    """Count a receipt lookup against the client; TooManyLookups past the limit."""
    wait = _spend(request, request.app.state.lookups)
    if wait is not None:
        raise TooManyLookups(max(1, math.ceil(wait)))


def throttle_submissions(request: Request) -> None:
    """Count a web-form submission with proof of work against the client; TooManySubmissions
    past the limit. (Forms without work were counted by services/intake/flood.py.)"""
    _throttle(request, request.app.state.submissions)


async def throttle_api_submissions(request: Request) -> None:
    """Count an API submission against the client; TooManySubmissions past the limit."""
    _throttle(request, request.app.state.api_submissions)


def _throttle(request: Request, limiter: TokenBucketLimiter) -> None:
    wait = _spend(request, limiter)
    if wait is not None:
        raise TooManySubmissions(max(1, math.ceil(wait)))


def intake_keys(request: Request) -> Keys:
    """Sealing, receipt and idempotency keys, as the app set them up."""
    keys: Keys = request.app.state.keys
    return keys


@router.post(
    "/complaints",
    status_code=201,
    dependencies=[
        Depends(require_json),
        Depends(throttle_api_submissions),
        Depends(refuse_blocked),
    ],
)
async def submit(
    command: SubmitComplaint,
    request: Request,
    response: Response,
    idempotency_key: str | None = Header(default=None, min_length=8, max_length=MAX_KEY_CHARS),
) -> ComplaintReceived:
    """Store a complaint; answer with its id and receipt code once it is committed."""
    runtime: Runtime = request.app.state.runtime
    ack = await submit_complaint(
        command, runtime=runtime, keys=intake_keys(request), idempotency_key=idempotency_key
    )
    trace.get_current_span().set_attribute("heard.complaint_id", str(ack.complaint_id))
    response.headers["Cache-Control"] = NO_STORE
    return ComplaintReceived(
        complaint_id=ack.complaint_id,
        receipt_code=ack.receipt_code,
        status=RECEIVED,
        received_at=ack.received_at,
    )


@router.post("/receipts/status", dependencies=[Depends(throttle_lookups), Depends(require_json)])
async def check_status(query: CheckStatus, request: Request, response: Response) -> StatusPublic:
    """The status of the one complaint the receipt code opens; 404 for any other code."""
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessions() as session:
        row = await status_by_receipt(session, intake_keys(request).receipts, query.receipt_code)
    if row is None:
        raise UnknownReceipt()
    response.headers["Cache-Control"] = NO_STORE
    return StatusPublic.model_validate(row.model_dump())


@router.post("/receipts/proof", dependencies=[Depends(throttle_lookups), Depends(require_json)])
async def download_proof(query: CheckStatus, request: Request) -> Response:
    """The receipt (c2sp.org/tlog-proof) of the complaint the code opens: 404 for any other
    code, 503 until the log has signed, and a witness cosigned, a tree holding it."""
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessions() as session:
        row = await status_by_receipt(session, intake_keys(request).receipts, query.receipt_code)
    if row is None:
        raise UnknownReceipt()
    text = await receipt_for(request, query.receipt_code)
    return Response(
        text, media_type="text/plain; charset=utf-8", headers={"Cache-Control": NO_STORE}
    )
