"""Intake's migrations build exactly the tables its models describe."""

from __future__ import annotations

from services.intake.db import Complaint, ComplaintStatus, Receipt
from services.intake.settings import IntakeSettings
from tests.support.schema import assert_schema_matches


def test_the_migrated_schema_matches_the_models(settings: IntakeSettings) -> None:
    assert_schema_matches(settings.database_url, [Complaint, Receipt, ComplaintStatus])
