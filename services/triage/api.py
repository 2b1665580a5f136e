"""Triage's routes: the rule set in force and decisions, for staff."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from services.triage.db import get_decision
from services.triage.errors import DecisionNotFound
from services.triage.model import RuleSet
from shared.auth import StaffPrincipal
from shared.runtime import Runtime
from shared.web.staff import require_roles

router = APIRouter(prefix="/api/v1")
Staff = Annotated[StaffPrincipal, Depends(require_roles("caseworker", "supervisor", "auditor"))]


class DecisionPublic(BaseModel):
    """A triage decision as staff see it."""

    complaint_id: uuid.UUID
    category: str
    urgency: str
    priority: int
    queue: str
    respond_by: datetime
    reasons: list[str]
    rule_set: str
    decided_at: datetime


class RuleSetPublic(BaseModel):
    """The rule set in force."""

    version: str
    categories: list[str]
    queues: list[str]


@router.get("/rules")
async def current_rules(request: Request, _staff: Staff) -> RuleSetPublic:
    """The version and outline of the rule set triage applies now."""
    rules: RuleSet = request.app.state.rules
    queues = sorted({c.queue for c in rules.categories} | set(rules.queues.values()))
    return RuleSetPublic(
        version=rules.version, categories=[c.name for c in rules.categories], queues=queues
    )


@router.get("/decisions/{complaint_id}")
async def decision(complaint_id: uuid.UUID, request: Request, _staff: Staff) -> DecisionPublic:
    """The decision triage made for one complaint."""
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessions() as session:
        row = await get_decision(session, complaint_id)
    if row is None:
        raise DecisionNotFound(str(complaint_id))
    return DecisionPublic.model_validate({**row.model_dump(), "reasons": json.loads(row.reasons)})
