"""De-identified statistics from the `statistics` topic, the only topic audit reads inside.

A `ComplaintProfiled` (from triage) or `FeedbackGiven` (from intake) row is kept under its
pseudonymous id, which no other event carries, so figures cannot be joined back to a case.
`record_statistic` is the apply step for those two contracts (once per event, by id).
"""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa
from aiokafka.structs import ConsumerRecord
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.bus.processing import Apply
from shared.db.uow import UnitOfWork
from shared.errors import HeardError
from shared.events.codec import EventCodec
from shared.events.contracts import ComplaintProfiled, FeedbackGiven

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


def _disability(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _row(data: ComplaintProfiled | FeedbackGiven) -> SQLModel:
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


async def record_statistic(session: AsyncSession, data: ComplaintProfiled | FeedbackGiven) -> None:
    """Keep one statistics event (idempotent by its pseudonymous id)."""
    row = _row(data)
    key = str(data.feedback_id if isinstance(data, FeedbackGiven) else data.profile_id)
    if await session.get(type(row), key) is None:
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


async def periods(session: AsyncSession) -> list[str]:
    """The months that have figures, newest first."""
    query = select(ProfileRow.period).distinct().order_by(sa.desc(ProfileRow.period))
    return list((await session.exec(query)).all())


STATISTICS_TOPIC = "statistics"
Statistic = ComplaintProfiled | FeedbackGiven


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
    return inbound.data if isinstance(inbound.data, ComplaintProfiled | FeedbackGiven) else None


def also_recording(apply: Apply, statistic: Statistic | None) -> Apply:
    """`apply`, then keep `statistic` in the same transaction (if there is one)."""
    if statistic is None:
        return apply

    async def both(uow: UnitOfWork) -> None:
        await apply(uow)
        await record_statistic(uow.session, statistic)

    return both
