"""Triage's event handlers, run by the consumer loop over what the batch's prefetch read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from services.triage.batch import TriageBatch, prefetch_triage
from services.triage.book import RuleBook
from services.triage.db import Fingerprint, TriageDecision
from services.triage.keys import hashing_key
from services.triage.model import Decision, Facts, RuleSet, Targets, decide
from services.triage.patterns import PatternPolicy, likely_duplicate, record_mention
from services.triage.settings import TriageSettings
from shared.bus.processing import Handler
from shared.clock import utcnow
from shared.db.uow import UnitOfWork
from shared.events.codec import Inbound
from shared.events.contracts import (
    ComplaintProfiled,
    ComplaintSubmitted,
    ComplaintTriaged,
    EventData,
)
from shared.ids import new_id
from shared.runtime import Runtime


@dataclass(frozen=True)
class TriageContext:
    """What triaging needs besides the event: rules in force, targets, key, pattern policy."""

    book: RuleBook
    targets: Targets
    key: bytes
    patterns: PatternPolicy


def triage_context(runtime: Runtime, settings: TriageSettings) -> TriageContext:
    """The context for `settings`, keyed from `runtime`."""
    return TriageContext(
        book=RuleBook(RuleSet.load(settings.rule_set)),
        targets=targets(settings),
        key=hashing_key(runtime),
        patterns=PatternPolicy(
            settings.pattern_threshold, timedelta(days=settings.pattern_window_days)
        ),
    )


def targets(settings: TriageSettings) -> Targets:
    """Response targets from the settings."""
    return Targets(
        timedelta(hours=settings.p1_hours),
        timedelta(hours=settings.p2_hours),
        timedelta(days=settings.p3_days),
    )


def _triaged_event(complaint: ComplaintSubmitted, decision: Decision) -> ComplaintTriaged:
    return ComplaintTriaged(
        complaint_id=complaint.complaint_id,
        triaged_at=utcnow(),
        category=decision.category,
        urgency=decision.urgency_name,
        priority=decision.priority,
        queue=decision.queue,
        respond_by=decision.respond_by,
        reasons=list(decision.reasons)[:50],
        rule_set=decision.rule_set,
        categories=list(decision.categories),
        rule_set_hash=decision.rule_set_hash,
        rules_fired=list(decision.rules_fired),
        signals=list(decision.signals),
        interim_measures=decision.interim_measures,
        admissibility=decision.admissibility.suggestion,
        admissibility_reasons=list(decision.admissibility.reasons),
    )


def _profile(complaint: ComplaintSubmitted, decision: Decision) -> ComplaintProfiled:
    # A fresh random id, never the complaint's: the figures cannot be joined back to a case.
    return ComplaintProfiled(
        profile_id=new_id(),
        period=complaint.submitted_at.strftime("%Y-%m"),
        channel=complaint.channel,
        language=complaint.language,
        submitted_by=complaint.submitted_by,
        age_band=complaint.age_band,
        gender=complaint.gender,
        disability=complaint.disability,
        region=complaint.region,
        categories=list(decision.categories)[:20],
        urgency=decision.urgency,
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
        categories=json.dumps(event.categories),
        rule_set_hash=event.rule_set_hash,
        rules_fired=json.dumps(event.rules_fired),
        interim_measures=event.interim_measures,
        admissibility=event.admissibility or "review",
    )


def _decide(
    context: TriageContext, batch: TriageBatch, complaint: ComplaintSubmitted, uow: UnitOfWork
) -> Decision:
    rules = batch.rules
    digest = batch.digests[complaint.complaint_id]
    days = rules.data.admissibility.duplicate_window_days
    received, complaint_id = complaint.submitted_at, complaint.complaint_id
    duplicate = likely_duplicate(batch, digest, received, days)
    uow.session.add(Fingerprint(complaint_id=complaint_id, digest=digest, received_at=received))
    facts = Facts(
        language=complaint.language,
        received_at=complaint.submitted_at,
        age_band=complaint.age_band,
        in_danger_now=complaint.in_danger_now,
        region=complaint.region,
        likely_duplicate=duplicate,
    )
    return decide(rules, complaint.narrative, facts, context.targets)


async def triage_complaint(message: Inbound[ComplaintSubmitted], uow: UnitOfWork) -> None:
    """Handle `ComplaintSubmitted`: decide, store, emit `ComplaintTriaged` and the profile."""
    context: TriageContext = uow.context.state
    batch: TriageBatch = uow.batch or await prefetch_triage([message], uow)
    complaint = message.data
    if complaint.complaint_id in batch.decided:
        return  # a resubmitted id keeps its first decision
    batch.decided.add(complaint.complaint_id)
    decision = _decide(context, batch, complaint, uow)
    event = _triaged_event(complaint, decision)
    uow.session.add(_row(event))
    uow.emit(event, subject=str(complaint.complaint_id))
    profile = _profile(complaint, decision)
    uow.emit(profile, subject=str(profile.profile_id))
    for subject in batch.subjects[complaint.complaint_id]:
        record_mention(
            uow, batch, context.patterns, subject, complaint.complaint_id, complaint.submitted_at
        )


HANDLERS: dict[type[EventData], Handler] = {ComplaintSubmitted: triage_complaint}
