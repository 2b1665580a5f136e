"""Triage's routes for staff: the rule set in force, one complaint's decision, and a dry run."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from services.triage.db import get_decision
from services.triage.errors import DecisionNotFound
from services.triage.handlers import TriageContext
from services.triage.model import Decision, Facts, RuleSet, decide
from shared.auth import StaffPrincipal
from shared.clock import utcnow
from shared.events.contracts.intake import AgeBand, Language
from shared.runtime import Runtime
from shared.web.staff import require_roles

router = APIRouter(prefix="/api/v1")
STAFF_ROLES = ("operator", "caseworker", "supervisor", "auditor", "administrator")
Staff = Annotated[StaffPrincipal, Depends(require_roles("caseworker", "supervisor", "auditor"))]
AnyStaff = Annotated[StaffPrincipal, Depends(require_roles(*STAFF_ROLES))]


class DecisionPublic(BaseModel):
    """A stored triage decision as staff see it."""

    complaint_id: uuid.UUID
    category: str
    categories: list[str]
    urgency: str
    priority: int
    queue: str
    respond_by: datetime
    reasons: list[str]
    rules_fired: list[str]
    rule_set: str
    rule_set_hash: str
    interim_measures: bool
    admissibility: str
    decided_at: datetime


class RuleSetPublic(BaseModel):
    """The rule set in force."""

    version: str
    content_hash: str
    categories: list[str]
    queues: list[str]


class DryRun(BaseModel):
    """A narrative to triage without creating anything."""

    model_config = ConfigDict(extra="forbid")

    narrative: str = Field(min_length=1, max_length=20000)
    language: Language
    age_band: AgeBand = "unknown"
    in_danger_now: bool | None = Field(default=None, strict=True)
    region: str | None = Field(default=None, max_length=100)


class Screening(BaseModel):
    """The admissibility pre-screen: a suggestion with its reasons."""

    suggestion: str
    reasons: list[str]


class DryRunDecision(BaseModel):
    """The full decision triage would make."""

    categories: list[str]
    category: str
    urgency: str
    urgency_name: str
    priority: int
    queue: str
    received_at: datetime
    respond_by: datetime
    signals: list[str]
    rules_fired: list[str]
    interim_measures: bool
    admissibility: Screening
    reasons: list[str]
    rule_set: str
    rule_set_hash: str

    @classmethod
    def of(cls, decision: Decision, received_at: datetime) -> DryRunDecision:
        """The response for `decision`."""
        return cls(
            categories=list(decision.categories),
            category=decision.category,
            urgency=decision.urgency,
            urgency_name=decision.urgency_name,
            priority=decision.priority,
            queue=decision.queue,
            received_at=received_at,
            respond_by=decision.respond_by,
            signals=list(decision.signals),
            rules_fired=list(decision.rules_fired),
            interim_measures=decision.interim_measures,
            admissibility=Screening(
                suggestion=decision.admissibility.suggestion,
                reasons=list(decision.admissibility.reasons),
            ),
            reasons=list(decision.reasons),
            rule_set=decision.rule_set,
            rule_set_hash=decision.rule_set_hash,
        )


async def rules_in_force(request: Request) -> RuleSet:
    """The rule set in force now (the newest activated, else the configured file)."""
    context: TriageContext = request.app.state.triage
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessions() as session:
        return await context.book.current(session)


Rules = Annotated[RuleSet, Depends(rules_in_force)]


@router.get("/rules")
async def current_rules(rules: Rules, _staff: Staff) -> RuleSetPublic:
    """The version and outline of the rule set triage applies now."""
    queues = {c.queue for c in rules.data.taxonomy} | {r.queue for r in rules.data.routes}
    return RuleSetPublic(
        version=rules.version,
        content_hash=rules.content_hash,
        categories=[c.code for c in rules.data.taxonomy],
        queues=sorted(queues),
    )


@router.post("/triage/dry-run")
async def dry_run(body: DryRun, rules: Rules, request: Request, _staff: AnyStaff) -> DryRunDecision:
    """The decision triage would make for `body`; nothing is stored or emitted."""
    context: TriageContext = request.app.state.triage
    received_at = utcnow()
    facts = Facts(body.language, received_at, body.age_band, body.in_danger_now, body.region)
    return DryRunDecision.of(decide(rules, body.narrative, facts, context.targets), received_at)


@router.get("/decisions/{complaint_id}")
async def decision(complaint_id: uuid.UUID, request: Request, _staff: Staff) -> DecisionPublic:
    """The decision triage made for one complaint."""
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessions() as session:
        row = await get_decision(session, complaint_id)
    if row is None:
        raise DecisionNotFound(str(complaint_id))
    lists = {k: json.loads(getattr(row, k)) for k in ("reasons", "categories", "rules_fired")}
    return DecisionPublic.model_validate({**row.model_dump(), **lists})
