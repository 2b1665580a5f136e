"""Events emitted by the intake service on the `complaints` topic."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from shared.events.contracts.base import EventData, EventPart

Channel = Literal["web", "phone", "sms", "ivr", "email", "in_person"]
Language = Literal["ar", "en", "es", "fr", "ru", "zh"]
AgeBand = Literal["under_8", "8_11", "12_14", "15_17", "adult", "unknown"]
Gender = Literal["girl", "boy", "non_binary", "other", "prefer_not_to_say", "unknown"]
Submitter = Literal["child", "on_behalf"]


class ContactDetails(EventPart):
    """How the mechanism may reach the child or the person acting for them."""

    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    safe_to_contact: bool = False
    best_time: str | None = Field(default=None, max_length=200, description="a safe time to call")


class OnBehalf(EventPart):
    """Who submitted for the child, and the consent they state."""

    relationship: str = Field(min_length=1, max_length=100)
    child_consents: bool
    reason_without_consent: str | None = Field(default=None, max_length=2000)


class ComplaintSubmitted(EventData):
    """A complaint was received and committed by intake."""

    type_name: ClassVar[str] = "heard.complaint.submitted.v1"
    topic: ClassVar[str] = "complaints"
    producer: ClassVar[str] = "intake"

    complaint_id: uuid.UUID
    submitted_at: datetime
    channel: Channel
    language: Language
    narrative: str = Field(min_length=1, max_length=20000)
    submitted_by: Submitter
    anonymous: bool
    age_band: AgeBand = "unknown"
    gender: Gender = "unknown"
    disability: bool | None = None
    region: str | None = Field(default=None, max_length=100)
    contact: ContactDetails | None = None
    on_behalf: OnBehalf | None = None
    in_danger_now: bool | None = Field(default=None, description="the child's answer, if asked")
    concerning: str | None = Field(
        default=None,
        max_length=200,
        description="the institution, place or person complained about, if named",
    )
    platform: str | None = Field(default=None, max_length=100, description="app, for online harm")
    happened_when: str | None = Field(default=None, max_length=200)
    operator_id: str | None = Field(default=None, max_length=100, description="helpline operator")


Answer = Literal["yes", "somewhat", "no"]


class FeedbackGiven(EventData):
    """A child's optional answer, when the case closed, on whether they felt heard and helped.

    Travels on `statistics` under a pseudonymous id, never joined to the case.
    """

    type_name: ClassVar[str] = "heard.statistics.feedback-given.v1"
    topic: ClassVar[str] = "statistics"
    producer: ClassVar[str] = "intake"

    feedback_id: uuid.UUID
    period: str = Field(pattern=r"^\d{4}-\d{2}$", description="month given, YYYY-MM")
    felt_heard: Answer | None = None
    helped: Answer | None = None
    language: Language
    age_band: AgeBand = "unknown"


class InformationAdded(EventData):
    """The child (or their representative) added information to their complaint."""

    type_name: ClassVar[str] = "heard.complaint.information-added.v1"
    topic: ClassVar[str] = "complaints"
    producer: ClassVar[str] = "intake"

    complaint_id: uuid.UUID
    added_at: datetime
    text: str = Field(min_length=1, max_length=20000)


class MessageFromChild(EventData):
    """The child replied to the case worker from the follow-up page, phone or SMS."""

    type_name: ClassVar[str] = "heard.complaint.message-from-child.v1"
    topic: ClassVar[str] = "complaints"
    producer: ClassVar[str] = "intake"

    complaint_id: uuid.UUID
    message_id: uuid.UUID
    sent_at: datetime
    body: str = Field(min_length=1, max_length=4000)
    channel: Channel = "web"
    in_reply_to: uuid.UUID | None = None


class ComplaintWithdrawn(EventData):
    """The child withdrew the complaint (OPIC: the author may withdraw at any time)."""

    type_name: ClassVar[str] = "heard.complaint.withdrawn.v1"
    topic: ClassVar[str] = "complaints"
    producer: ClassVar[str] = "intake"

    complaint_id: uuid.UUID
    withdrawn_at: datetime
    reason: str | None = Field(default=None, max_length=2000)
