"""De-identified statistics from the `statistics` topic, the only topic audit reads inside.

A `ComplaintProfiled` (from triage), `FeedbackGiven` (from intake) or `CaseMilestone` (from
casework) row is kept under its pseudonymous id, which no other event carries, so figures
cannot be joined back to a case. `record_statistic` keeps one (once per event, by id).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from aiokafka.structs import ConsumerRecord
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.audit.db import AuditLogEntry
from shared.bus.processing import Apply
from shared.db.uow import UnitOfWork
from shared.errors import HeardError
from shared.events.codec import EventCodec
from shared.events.contracts import (
    CaseMilestone,
    ComplaintProfiled,
    FeedbackGiven,
    SystemicPatternDetected,
)

log = logging.getLogger("heard.audit")


class ProfileRow(SQLModel, table=True):
    """One complaint's coarse profile."""

    __tablename__ = "audit_statistic_profile"

    profile_id: str = Field(primary_key=True, max_length=36)
    period: str = Field(max_length=7, index=True)
    channel: str = Field(max_length=16)
    language: str = Field(max_length=8)
    submitted_by: str = Field(max_length=16)
    age_band: str = Field(max_length=16)
    gender: str = Field(max_length=24)
    disability: str = Field(max_length=8)
    region: str = Field(max_length=100)
    categories: str = Field(max_length=2000, description="JSON list")
    urgency: str = Field(max_length=16)


class FeedbackRow(SQLModel, table=True):
    """One child's answer on closing."""

    __tablename__ = "audit_statistic_feedback"

    feedback_id: str = Field(primary_key=True, max_length=36)
    period: str = Field(max_length=7, index=True)
    felt_heard: str = Field(max_length=16)
    helped: str = Field(max_length=16)
    age_band: str = Field(max_length=16)


class MilestoneRow(SQLModel, table=True):
    """One milestone one case reached: when (month, time since received), and how."""

    __tablename__ = "audit_statistic_milestone"

    milestone_id: str = Field(primary_key=True, max_length=36)
    period: str = Field(max_length=7, index=True)
    milestone: str = Field(max_length=32)
    outcome: str = Field(max_length=32)
    elapsed: str = Field(max_length=16)
    region: str = Field(max_length=100)
    category: str = Field(max_length=64)
    urgency: str = Field(max_length=16)


def _disability(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _milestone(data: CaseMilestone) -> MilestoneRow:
    return MilestoneRow(
        milestone_id=str(data.milestone_id),
        period=data.period,
        milestone=data.milestone,
        outcome=data.outcome or "none",
        elapsed=data.elapsed,
        region=data.region or "unknown",
        category=data.category,
        urgency=data.urgency,
    )


def _key(data: Statistic) -> str:
    if isinstance(data, FeedbackGiven):
        return str(data.feedback_id)
    return str(data.milestone_id if isinstance(data, CaseMilestone) else data.profile_id)


def _row(data: Statistic) -> SQLModel:
    if isinstance(data, CaseMilestone):
        return _milestone(data)
    if isinstance(data, FeedbackGiven):
        return FeedbackRow(
            feedback_id=str(data.feedback_id),
            period=data.period,
            felt_heard=data.felt_heard or "unanswered",
            helped=data.helped or "unanswered",
            age_band=data.age_band,
        )
    return ProfileRow(
        profile_id=str(data.profile_id),
        period=data.period,
        channel=data.channel,
        language=data.language,
        submitted_by=data.submitted_by,
        age_band=data.age_band,
        gender=data.gender,
        disability=_disability(data.disability),
        region=data.region or "unknown",
        categories=json.dumps(sorted(set(data.categories))),
        urgency=data.urgency,
    )


async def record_statistic(session: AsyncSession, data: Statistic) -> None:
    """Keep one statistics event (idempotent by its pseudonymous id)."""
    row = _row(data)
    if await session.get(type(row), _key(data)) is None:
        session.add(row)


async def profiles(session: AsyncSession, period: str | None) -> list[ProfileRow]:
    """Every profile, or those of one month."""
    query = select(ProfileRow)
    if period is not None:
        query = query.where(ProfileRow.period == period)
    return list((await session.exec(query)).all())


async def feedback(session: AsyncSession, period: str | None) -> list[FeedbackRow]:
    """Every feedback answer, or those of one month."""
    query = select(FeedbackRow)
    if period is not None:
        query = query.where(FeedbackRow.period == period)
    return list((await session.exec(query)).all())


async def milestones(session: AsyncSession, period: str | None) -> list[MilestoneRow]:
    """Every milestone reached, or those reached in one month."""
    query = select(MilestoneRow)
    if period is not None:
        query = query.where(MilestoneRow.period == period)
    return list((await session.exec(query)).all())


async def pattern_alerts(session: AsyncSession, period: str | None) -> int:
    """How many systemic-pattern alerts the log holds (logged in one month, if given).

    The alert itself is sealed for casework; its type on the bus is not, and that is all
    this counts (an alert is about an institution, place or person, not about a child).
    """
    query = select(sa.func.count()).where(AuditLogEntry.type == SystemicPatternDetected.type_name)
    if period is not None:
        start = datetime.strptime(period, "%Y-%m").replace(tzinfo=UTC)
        end = (start + timedelta(days=32)).replace(day=1)
        query = query.where(
            col(AuditLogEntry.appended_at) >= start, col(AuditLogEntry.appended_at) < end
        )
    count: int = (await session.exec(query)).one()
    return count


async def periods(session: AsyncSession) -> list[str]:
    """The months that have figures, newest first."""
    found: set[str] = set()
    for column in (ProfileRow.period, MilestoneRow.period):
        found.update((await session.exec(select(column).distinct())).all())
    return sorted(found, reverse=True)


async def breakdowns(session: AsyncSession) -> dict[str, list[str]]:
    """The regions and the categories figures can be broken down by."""
    regions: set[str] = set()
    categories: set[str] = set()
    for column in (ProfileRow.region, MilestoneRow.region):
        regions.update((await session.exec(select(column).distinct())).all())
    categories.update((await session.exec(select(MilestoneRow.category).distinct())).all())
    for listed in (await session.exec(select(ProfileRow.categories).distinct())).all():
        categories.update(json.loads(listed) or ["uncategorised"])
    return {"region": sorted(regions), "category": sorted(categories)}


STATISTICS_TOPIC = "statistics"
Statistic = ComplaintProfiled | FeedbackGiven | CaseMilestone


def statistic_of(codec: EventCodec, record: ConsumerRecord) -> Statistic | None:
    """The figures a verified `statistics` record carries (the only topic audit opens).

    A record audit cannot open (no key, bad payload) is still logged; only its figures are
    missing, which the warning says, without a word of content.
    """
    if record.topic != STATISTICS_TOPIC:
        return None
    try:
        inbound = codec.decode(record.topic, record.key, record.headers or (), record.value)
    except HeardError as error:
        log.warning("statistics event not counted: %s", type(error).__name__)
        return None
    return inbound.data if isinstance(inbound.data, Statistic) else None


def also_recording(apply: Apply, statistic: Statistic | None) -> Apply:
    """`apply`, then keep `statistic` in the same transaction (if there is one)."""
    if statistic is None:
        return apply

    async def both(uow: UnitOfWork) -> None:
        await apply(uow)
        await record_statistic(uow.session, statistic)

    return both
