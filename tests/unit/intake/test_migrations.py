"""Intake's migrations build exactly the tables its models describe."""

from __future__ import annotations

from services.intake.db import ALL_TABLES
from services.intake.settings import IntakeSettings
from shared.crypto.at_rest import SubjectKey
from tests.support.schema import assert_schema_matches


def test_the_migrated_schema_matches_the_models(settings: IntakeSettings) -> None:
    assert_schema_matches(settings.database_url, [*ALL_TABLES, SubjectKey])
