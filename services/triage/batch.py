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
from datetime import datetime
from typing import Any

from services.triage.db import (
    PatternAlert,
    alerts_for,
    decided_among,
    latest_fingerprints,
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
    latest: dict[str, datetime]
    subjects: dict[uuid.UUID, list[str]]
    mentions: Seen
    alerts: dict[str, PatternAlert] = field(default_factory=dict)

    def seen_before(self, digest: str, since: datetime) -> bool:
        """Whether a complaint with this fingerprint arrived since `since`.

        An undecided complaint has no fingerprint yet (both are written together), so any
        fingerprint found is another complaint's.
        """
        latest = self.latest.get(digest)
        return latest is not None and latest >= since

    def fingerprinted(self, digest: str, at: datetime) -> None:
        """Note a complaint with `digest` that arrived at `at`."""
        self.latest[digest] = max(at, self.latest.get(digest, at))

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
    alerts = {alert.subject_hash: alert for alert in await alerts_for(session, named)}
    earliest = min(c.submitted_at for c in complaints)
    # A subject alerted within the window of every complaint here raises nothing new: its
    # (possibly many) earlier mentions need not be read.
    quiet_since = max(c.submitted_at for c in complaints) - context.patterns.window
    counted = [s for s in named if s not in alerts or alerts[s].alerted_at < quiet_since]
    return TriageBatch(
        rules=rules,
        decided=await decided_among(session, list(digests)),
        digests=digests,
        latest=await latest_fingerprints(session, digests.values()),
        subjects=subjects,
        mentions=_grouped(await mentions_of(session, counted, earliest - context.patterns.window)),
        alerts=alerts,
    )
