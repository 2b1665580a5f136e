"""Same matter and systemic patterns (OPIC art. 13), on keyed hashes only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.triage.db import Mention, PatternAlert, earlier_with_digest, mentions_since
from shared.clock import utcnow
from shared.db.uow import UnitOfWork
from shared.events.contracts import SystemicPatternDetected
from shared.ids import new_id


@dataclass(frozen=True)
class PatternPolicy:
    """How many complaints within how many days make a pattern worth an alert."""

    threshold: int
    window: timedelta


async def likely_duplicate(
    uow: UnitOfWork, digest: str, received_at: datetime, complaint_id: uuid.UUID, days: int
) -> bool:
    """Whether the same words came from another complaint within `days`."""
    since = received_at - timedelta(days=days)
    return await earlier_with_digest(uow.session, digest, since, complaint_id)


async def record_mention(
    uow: UnitOfWork,
    policy: PatternPolicy,
    subject: str,
    complaint_id: uuid.UUID,
    received_at: datetime,
) -> None:
    """Count a complaint against its subject; alert once per window when the cluster is big."""
    uow.session.add(
        Mention(complaint_id=complaint_id, subject_hash=subject, received_at=received_at)
    )
    await uow.session.flush()
    since = received_at - policy.window
    complaints = await mentions_since(uow.session, subject, since)
    if len(complaints) < policy.threshold:
        return
    alert = await uow.session.get(PatternAlert, subject)
    if alert is not None and alert.alerted_at >= since:
        return
    now = utcnow()
    uow.session.add(alert or PatternAlert(subject_hash=subject, alerted_at=now))
    if alert is not None:
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
