"""Triage's event handlers: one transaction each, run by the consumer loop."""

from __future__ import annotations

import json
from typing import cast

from services.triage.db import TriageDecision, get_decision
from services.triage.model import Decision, RuleSet, decide
from services.triage.settings import TriageSettings
from shared.bus.processing import Handler
from shared.clock import utcnow
from shared.db.uow import UnitOfWork
from shared.events.codec import Inbound
from shared.events.contracts import ComplaintSubmitted, ComplaintTriaged, EventData


def _triaged_event(complaint: ComplaintSubmitted, decision: Decision) -> ComplaintTriaged:
    return ComplaintTriaged(
        complaint_id=complaint.complaint_id,
        triaged_at=utcnow(),
        category=decision.category,
        urgency=decision.urgency,
        priority=decision.priority,
        queue=decision.queue,
        respond_by=decision.respond_by,
        reasons=list(decision.reasons),
        rule_set=decision.rule_set,
    )


def _row(event: ComplaintTriaged) -> TriageDecision:
    return TriageDecision(
        complaint_id=event.complaint_id,
        category=event.category,
        urgency=event.urgency,
        priority=event.priority,
        queue=event.queue,
        respond_by=event.respond_by,
        reasons=json.dumps(event.reasons),
        rule_set=event.rule_set,
        decided_at=event.triaged_at,
    )


async def triage_complaint(message: Inbound[ComplaintSubmitted], uow: UnitOfWork) -> None:
    """Handle `ComplaintSubmitted`: decide, store the decision, emit `ComplaintTriaged`."""
    complaint = message.data
    if await get_decision(uow.session, complaint.complaint_id) is not None:
        return  # a resubmitted id keeps its first decision
    settings = cast(TriageSettings, uow.context.settings)
    rules = RuleSet.cached(settings.rule_set)
    event = _triaged_event(complaint, decide(rules, complaint.narrative, complaint.submitted_at))
    uow.session.add(_row(event))
    uow.emit(event, subject=str(complaint.complaint_id))


HANDLERS: dict[type[EventData], Handler] = {ComplaintSubmitted: triage_complaint}
