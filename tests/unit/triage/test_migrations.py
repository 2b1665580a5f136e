"""Triage's migrations build exactly the tables its models describe, and go down again."""

from __future__ import annotations

from services.triage.db import ActiveRuleSet, Fingerprint, Mention, PatternAlert, TriageDecision
from services.triage.settings import TriageSettings
from tests.support.schema import assert_schema_matches


def test_the_migrated_schema_matches_the_models(settings: TriageSettings) -> None:
    assert_schema_matches(
        settings.database_url, [TriageDecision, ActiveRuleSet, Fingerprint, Mention, PatternAlert]
    )
