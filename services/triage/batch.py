"""What a batch of complaints reads from triage's database, loaded in one query per kind.

Triaging a complaint reads the rule set in force, whether the complaint was decided before,
earlier complaints with the same words and earlier complaints naming the same subjects. Read
record by record that is four round trips a complaint; the consumer's prefetch reads them
for the whole batch at once, and each handler adds what it decides to the batch's view, so a
later complaint in the same batch sees an earlier one exactly as it would in the database.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from services.triage.db import (
    PatternAlert,
    alerts_for,
    decided_among,
    fingerprints_since,
    mentions_of,
)
from services.triage.keys import fingerprint, subject_hash
from services.triage.model import RuleSet
from services.triage.subjects import named_subjects
from services.triage.text import tokenise
from shared.db.uow import UnitOfWork
from shared.events.codec import Inbound
from shared.events.contracts import ComplaintSubmitted

Seen = dict[str, list[tuple[uuid.UUID, datetime]]]


@dataclass
class TriageBatch:
    """The batch's view of triage's state, kept current as its complaints are decided."""

    rules: RuleSet
    decided: set[uuid.UUID]
    digests: dict[uuid.UUID, str]
    fingerprints: Seen
    subjects: dict[uuid.UUID, list[str]]
    mentions: Seen
    alerts: dict[str, PatternAlert] = field(default_factory=dict)

    def seen_before(self, digest: str, complaint_id: uuid.UUID, since: datetime) -> bool:
        """Whether another complaint with this fingerprint arrived since `since`."""
        return any(other != complaint_id and at >= since for other, at in self.fingerprints[digest])

    def mentioned_since(self, subject: str, since: datetime) -> list[uuid.UUID]:
        """The complaints naming `subject` received since `since`."""
        return [complaint for complaint, at in self.mentions[subject] if at >= since]


def subjects_of(key: bytes, complaint: ComplaintSubmitted) -> list[str]:
    """Keyed hashes of whom the complaint is about: the name given, and names it mentions."""
    names = [complaint.concerning] if complaint.concerning else []
    hashes = {subject_hash(key, name) for name in [*names, *named_subjects(complaint.narrative)]}
    return sorted(hashes)


def _grouped(rows: Iterable[tuple[str, uuid.UUID, datetime]]) -> Seen:
    grouped: Seen = defaultdict(list)
    for name, complaint, at in rows:
        grouped[name].append((complaint, at))
    return grouped


async def prefetch_triage(messages: Sequence[Inbound[Any]], uow: UnitOfWork) -> TriageBatch:
    """Read, for these complaints, everything their triage will look at."""
    context = uow.context.state
    session = uow.session
    complaints: list[ComplaintSubmitted] = [m.data for m in messages]
    rules = await context.book.current(session)
    digests = {
        c.complaint_id: fingerprint(context.key, tokenise(c.narrative, c.language))
        for c in complaints
    }
    subjects = {c.complaint_id: subjects_of(context.key, c) for c in complaints}
    named = sorted({s for found in subjects.values() for s in found})
    earliest = min(c.submitted_at for c in complaints)
    days = timedelta(days=rules.data.admissibility.duplicate_window_days)
    window = context.patterns.window
    return TriageBatch(
        rules=rules,
        decided=await decided_among(session, list(digests)),
        digests=digests,
        fingerprints=_grouped(await fingerprints_since(session, digests.values(), earliest - days)),
        subjects=subjects,
        mentions=_grouped(await mentions_of(session, named, earliest - window)),
        alerts={alert.subject_hash: alert for alert in await alerts_for(session, named)},
    )
