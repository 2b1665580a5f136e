"""Casework's routes for one case: its summary, what the child said (access-logged), its
timeline, the procedure's actions, claiming and assigning, messages to the child."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from services.casework import desk
from services.casework.model import Action
from services.casework.procedure import Tools
from shared.auth import StaffPrincipal
from shared.runtime import Runtime
from shared.web.staff import require_roles

# A case's version is a 32-bit integer column: a larger one is refused (422), never a 500.
MAX_VERSION = 2**31 - 1

router = APIRouter(prefix="/api/v1/cases")
# Every role reaches the door; the permission matrix decides what each finds behind it.
Staff = Annotated[
    StaffPrincipal,
    Depends(require_roles("operator", "caseworker", "supervisor", "auditor", "administrator")),
]
Reason = Annotated[str | None, Query(max_length=500, description="why you read this child's data")]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid staff token"},
    403: {"description": "your roles do not reach this case or action"},
    404: {"description": "no case with that id"},
    409: {"description": "not allowed at this step, or the case changed since you read it"},
    422: {"description": "a reason is missing, or the input is invalid"},
}


def runtime_of(request: Request) -> Runtime:
    """The app's runtime."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def tools_of(request: Request) -> Tools:
    """Casework's tools (cipher, clocks)."""
    tools: Tools = request.app.state.casework_tools
    return tools


class DeadlinePublic(BaseModel):
    """A running legal clock."""

    kind: str
    due_at: datetime


class CaseDetail(BaseModel):
    """A case as the caller may see it, with the actions open to them now."""

    case_id: uuid.UUID
    complaint_id: uuid.UUID
    step: str
    version: int
    queue: str
    priority: int
    urgency: str
    category: str
    assignee: str | None
    region: str | None
    language: str | None
    respond_by: datetime
    deadlines: list[DeadlinePublic]
    actions: list[str]


def _detail(seen: desk.CaseView) -> CaseDetail:
    case = seen.case
    return CaseDetail(
        case_id=case.case_id,
        complaint_id=case.complaint_id,
        step=case.status,
        version=case.version,
        queue=case.queue,
        priority=case.priority,
        urgency=case.urgency,
        category=case.category,
        assignee=case.assignee,
        region=seen.region,
        language=seen.language,
        respond_by=case.respond_by,
        deadlines=[DeadlinePublic(kind=d.kind, due_at=d.due_at) for d in seen.deadlines],
        actions=seen.actions,
    )


class StepTaken(BaseModel):
    """A procedure action: `version` is the case version the caller last read."""

    action: Action
    version: int = Field(ge=1, le=MAX_VERSION)
    reason: str | None = Field(default=None, max_length=4000)


class Assignment(BaseModel):
    """Claim (no `to`) or assign to `to` (supervisors)."""

    version: int = Field(ge=1, le=MAX_VERSION)
    to: str | None = Field(default=None, min_length=1, max_length=200)


class Message(BaseModel):
    """A message to the child, in their language."""

    body: str = Field(min_length=1, max_length=4000)
    asks_for_information: bool = False


class MessageSent(BaseModel):
    """The id of the message sent."""

    message_id: uuid.UUID


@router.get("/{case_id}", responses=ERRORS)
async def case_summary(case_id: uuid.UUID, request: Request, who: Staff) -> CaseDetail:
    """The case's step, deadlines and the actions open to you; no child data."""
    return _detail(await desk.view(runtime_of(request), who, case_id))


@router.get("/{case_id}/words", responses=ERRORS)
async def child_words(
    case_id: uuid.UUID, request: Request, who: Staff, reason: Reason = None
) -> list[desk.Said]:
    """What the child said. Every read is recorded as `case accessed`."""
    return await desk.read_words(runtime_of(request), who, case_id, reason)


@router.get("/{case_id}/identity", responses=ERRORS)
async def child_identity(
    case_id: uuid.UUID, request: Request, who: Staff, reason: Reason = None
) -> dict[str, Any]:
    """Who the child is and who acts for them. Every read is recorded as `case accessed`."""
    return await desk.read_identity(runtime_of(request), who, case_id, reason)


@router.get("/{case_id}/timeline", responses=ERRORS)
async def case_timeline(case_id: uuid.UUID, request: Request, who: Staff) -> list[desk.Entry]:
    """The case's history, oldest first."""
    return await desk.timeline(runtime_of(request), who, case_id)


@router.post("/{case_id}/steps", responses=ERRORS)
async def take_step(
    case_id: uuid.UUID, body: StepTaken, request: Request, who: Staff
) -> CaseDetail:
    """Take a procedure action; 409 if not allowed now or if the case changed meanwhile."""
    await desk.step(
        runtime_of(request),
        tools_of(request),
        who,
        case_id,
        action=body.action,
        reason=body.reason,
        version=body.version,
    )
    return _detail(await desk.view(runtime_of(request), who, case_id))


@router.post("/{case_id}/assignment", responses=ERRORS)
async def assign_case(
    case_id: uuid.UUID, body: Assignment, request: Request, who: Staff
) -> CaseDetail:
    """Claim the case, or (supervisors) assign or reassign it."""
    await desk.assign(
        runtime_of(request), tools_of(request), who, case_id, version=body.version, to=body.to
    )
    return _detail(await desk.view(runtime_of(request), who, case_id))


@router.post("/{case_id}/messages", status_code=201, responses=ERRORS)
async def message_child(
    case_id: uuid.UUID, body: Message, request: Request, who: Staff
) -> MessageSent:
    """Write to the child; shown on their follow-up page."""
    message_id = await desk.write_to_child(
        runtime_of(request),
        tools_of(request),
        who,
        case_id,
        body=body.body,
        asks_for_information=body.asks_for_information,
    )
    return MessageSent(message_id=message_id)
