"""Triage's tables: decisions, rule sets put in force, and keyed hashes (never plaintext) for
duplicates and systemic patterns."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db.types import UTCDateTime


class TriageDecisionBase(SQLModel):
    """What triage decided about a complaint (no narrative: triage keeps no child data)."""

    complaint_id: uuid.UUID = Field(primary_key=True)
    category: str = Field(max_length=64)
    urgency: str = Field(max_length=16)
    priority: int
    queue: str = Field(max_length=64, index=True)
    respond_by: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    reasons: str = Field(sa_column=Column(Text, nullable=False))  # a JSON list
    rule_set: str = Field(max_length=64)
    decided_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    categories: str = Field(sa_column=Column(Text, nullable=False))  # a JSON list
    rule_set_hash: str = Field(max_length=64)
    rules_fired: str = Field(sa_column=Column(Text, nullable=False))  # a JSON list
    interim_measures: bool
    admissibility: str = Field(max_length=24)


class TriageDecision(TriageDecisionBase, table=True):
    """A stored triage decision."""

    __tablename__ = "triage_decision"


class ActiveRuleSet(SQLModel, table=True):
    """A rule set put in force by staff; the newest row is the one in force everywhere."""

    __tablename__ = "triage_rule_set"

    content_hash: str = Field(primary_key=True, max_length=64)
    version: str = Field(max_length=64)
    body: str = Field(sa_column=Column(Text, nullable=False))  # staff's rule file, no child data
    activated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    activated_by: str = Field(max_length=200)


class Fingerprint(SQLModel, table=True):
    """A keyed hash of a complaint's folded words, to find the same matter sent twice."""

    __tablename__ = "triage_fingerprint"

    complaint_id: uuid.UUID = Field(primary_key=True)
    digest: str = Field(max_length=64, index=True)
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Mention(SQLModel, table=True):
    """A complaint names an institution, place or person, kept only as a keyed hash."""

    __tablename__ = "triage_mention"

    complaint_id: uuid.UUID = Field(primary_key=True)
    subject_hash: str = Field(primary_key=True, max_length=64, index=True)
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class PatternAlert(SQLModel, table=True):
    """When an alert last went out for a subject, so one cluster alerts once per window."""

    __tablename__ = "triage_pattern_alert"

    subject_hash: str = Field(primary_key=True, max_length=64)
    alerted_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


async def get_decision(session: AsyncSession, complaint_id: uuid.UUID) -> TriageDecision | None:
    """The decision for `complaint_id`, if triage has made one."""
    return await session.get(TriageDecision, complaint_id)


async def decided_among(
    session: AsyncSession, complaint_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of `complaint_ids` triage has decided already."""
    if not complaint_ids:
        return set()
    query = select(TriageDecision.complaint_id).where(
        col(TriageDecision.complaint_id).in_(complaint_ids)
    )
    return set((await session.exec(query)).all())


async def newest_rule_set(session: AsyncSession) -> ActiveRuleSet | None:
    """The rule set staff put in force last, if any."""
    query = select(ActiveRuleSet).order_by(col(ActiveRuleSet.activated_at).desc()).limit(1)
    return (await session.exec(query)).first()


async def latest_fingerprints(
    session: AsyncSession, digests: Collection[str]
) -> dict[str, datetime]:
    """When a complaint with each of `digests` last arrived (absent: never)."""
    if not digests:
        return {}
    query = (
        select(Fingerprint.digest, func.max(Fingerprint.received_at))
        .where(col(Fingerprint.digest).in_(digests))
        .group_by(col(Fingerprint.digest))
    )
    return dict((await session.exec(query)).all())


async def mentions_of(
    session: AsyncSession, subjects: Collection[str], since: datetime
) -> list[tuple[str, uuid.UUID, datetime]]:
    """(subject, complaint, received) of complaints naming any of `subjects` since `since`."""
    if not subjects:
        return []
    query = select(Mention.subject_hash, Mention.complaint_id, Mention.received_at).where(
        col(Mention.subject_hash).in_(subjects), col(Mention.received_at) >= since
    )
    return [(name, complaint, at) for name, complaint, at in (await session.exec(query)).all()]


async def alerts_for(session: AsyncSession, subjects: Collection[str]) -> list[PatternAlert]:
    """The pattern alerts already raised for any of `subjects`."""
    if not subjects:
        return []
    query = select(PatternAlert).where(col(PatternAlert.subject_hash).in_(subjects))
    return list((await session.exec(query)).all())
