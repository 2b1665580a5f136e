"""Same matter and systemic patterns (OPIC art. 13), on keyed hashes only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.triage.batch import TriageBatch
from services.triage.db import Mention, PatternAlert
from shared.clock import utcnow
from shared.db.uow import UnitOfWork
from shared.events.contracts import SystemicPatternDetected
from shared.ids import new_id


@dataclass(frozen=True)
class PatternPolicy:
    """How many complaints within how many days make a pattern worth an alert."""

    threshold: int
    window: timedelta


def likely_duplicate(batch: TriageBatch, digest: str, received_at: datetime, days: int) -> bool:
    """Whether the same words came from another complaint within `days`; remember these."""
    duplicate = batch.seen_before(digest, received_at - timedelta(days=days))
    batch.fingerprinted(digest, received_at)
    return duplicate


def record_mention(
    uow: UnitOfWork,
    batch: TriageBatch,
    policy: PatternPolicy,
    subject: str,
    complaint_id: uuid.UUID,
    received_at: datetime,
) -> None:
    """Count a complaint against its subject; alert once per window when the cluster is big."""
    uow.session.add(
        Mention(complaint_id=complaint_id, subject_hash=subject, received_at=received_at)
    )
    batch.mentions[subject].append((complaint_id, received_at))
    since = received_at - policy.window
    complaints = batch.mentioned_since(subject, since)
    if len(complaints) < policy.threshold:
        return
    alert = batch.alerts.get(subject)
    if alert is not None and alert.alerted_at >= since:
        return
    now = utcnow()
    if alert is None:
        alert = batch.alerts[subject] = PatternAlert(subject_hash=subject, alerted_at=now)
        uow.session.add(alert)
    alert.alerted_at = now
    event = SystemicPatternDetected(
        pattern_id=new_id(),
        subject_hash=subject,
        complaints=sorted(complaints)[:1000],
        window_days=policy.window.days,
        threshold=policy.threshold,
        detected_at=now,
    )
    uow.emit(event, subject=str(event.pattern_id))
