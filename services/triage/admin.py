"""Administrators put a new rule set in force: validated, measured on the corpus, refused if it
would miss P1 complaints the rules in force find; the change is itself an event."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from services.triage.api import Rules
from services.triage.db import ActiveRuleSet, newest_rule_set
from services.triage.errors import RuleSetInvalid, RuleSetRegresses
from services.triage.evaluation import Example, Report, evaluate
from services.triage.handlers import TriageContext
from services.triage.model import RuleSet
from services.triage.ruleset import MAX_BYTES
from shared.auth import StaffPrincipal
from shared.clock import utcnow
from shared.db.uow import UnitOfWork
from shared.events.contracts import RuleSetActivated
from shared.runtime import Runtime
from shared.web.staff import require_roles

router = APIRouter(prefix="/api/v1/triage")
Administrator = Annotated[StaffPrincipal, Depends(require_roles("administrator"))]
UPLOAD_NAME = "uploaded rule set"


class Activation(BaseModel):
    """The rule set now in force and how it measured on the corpus."""

    version: str
    content_hash: str
    p1_recall: float
    over_escalation: float
    urgency_accuracy: float
    changed: bool


def _measured(new: RuleSet, current: RuleSet, corpus: list[Example]) -> Report:
    report = evaluate(new, corpus)
    required = evaluate(current, corpus).p1_recall
    if report.p1_recall < required:
        raise RuleSetRegresses(report.p1_recall, required)
    return report


async def _activate(uow: UnitOfWork, rules: RuleSet, report: Report, by: str) -> bool:
    newest = await newest_rule_set(uow.session)
    if newest is not None and newest.content_hash == rules.content_hash:
        return False  # already in force: nothing changes, no event
    now = utcnow()
    row = await uow.session.get(ActiveRuleSet, rules.content_hash)
    if row is None:
        body = rules.raw.decode("utf-8")
        row = ActiveRuleSet(
            content_hash=rules.content_hash,
            version=rules.version,
            body=body,
            activated_at=now,
            activated_by=by,
        )
    row.activated_at, row.activated_by = now, by
    uow.session.add(row)
    event = RuleSetActivated(
        version=rules.version,
        content_hash=rules.content_hash,
        activated_at=now,
        activated_by=by,
        p1_recall=report.p1_recall,
        over_escalation=report.over_escalation,
    )
    uow.emit(event, subject=rules.content_hash)
    return True


# The body is read raw (a YAML file), so FastAPI cannot see it: documented here.
_YAML_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_BYTES}
            }
        },
    }
}


@router.put("/rule-set", openapi_extra=_YAML_BODY)
async def put_rule_set(request: Request, current: Rules, staff: Administrator) -> Activation:
    """Validate the YAML body as a rule set, measure it, and put it in force everywhere."""
    raw = await request.body()
    if not raw.strip():
        raise RuleSetInvalid(UPLOAD_NAME, 1, "the body is empty; send the rule file as YAML")
    if len(raw) > MAX_BYTES:
        raise RuleSetInvalid(UPLOAD_NAME, 1, f"file larger than {MAX_BYTES} bytes")
    # Compiling and running the corpus take CPU for a moment: off the event loop.
    rules = await asyncio.to_thread(RuleSet.from_bytes, raw, UPLOAD_NAME)
    report = await asyncio.to_thread(_measured, rules, current, request.app.state.corpus)
    context: TriageContext = request.app.state.triage
    runtime: Runtime = request.app.state.runtime
    async with runtime.uow() as uow:
        changed = await _activate(uow, rules, report, staff.subject)
        await uow.commit()
    context.book.remember(rules)
    return Activation(
        version=rules.version,
        content_hash=rules.content_hash,
        p1_recall=report.p1_recall,
        over_escalation=report.over_escalation,
        urgency_accuracy=report.urgency_accuracy,
        changed=changed,
    )
