"""Intake's submission model agrees with the contract it feeds, and statuses only advance."""

from __future__ import annotations

from annotated_types import MaxLen

from services.intake.model import (
    CASE_OPENED,
    NARRATIVE_MAX_CHARS,
    RECEIVED,
    SubmitComplaint,
    advances,
)
from shared.clock import utcnow
from shared.events.contracts import ComplaintSubmitted
from shared.ids import new_id
from tests.unit.intake.support import complete


def test_the_narrative_limit_is_the_contracts() -> None:
    limits = ComplaintSubmitted.model_fields["narrative"].metadata
    assert MaxLen(NARRATIVE_MAX_CHARS) in limits


def test_the_largest_acceptable_submission_is_a_valid_event() -> None:
    largest = complete(
        narrative="n" * NARRATIVE_MAX_CHARS,
        region="r" * 100,
        contact={"name": "a" * 200, "phone": "1" * 40, "email": "e" * 254},
        on_behalf={
            "relationship": "r" * 100,
            "child_consents": False,
            "reason_without_consent": "w" * 2000,
        },
    )
    command = SubmitComplaint.model_validate(largest)
    ComplaintSubmitted(complaint_id=new_id(), submitted_at=utcnow(), **command.model_dump())


def test_statuses_only_move_forward() -> None:
    assert advances(RECEIVED, CASE_OPENED)
    assert not advances(CASE_OPENED, CASE_OPENED)
    assert not advances(CASE_OPENED, RECEIVED)
