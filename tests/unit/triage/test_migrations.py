"""Triage's migrations build exactly the tables its models describe, and go down again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from services.triage.bootstrap import SERVICE as SPEC
from services.triage.db import ActiveRuleSet, Fingerprint, Mention, PatternAlert, TriageDecision
from services.triage.settings import TriageSettings
from shared.db.engine import sync_url
from shared.db.migrations import alembic_config
from tests.support.schema import assert_schema_matches


def test_the_migrated_schema_matches_the_models(settings: TriageSettings) -> None:
    assert_schema_matches(
        settings.database_url, [TriageDecision, ActiveRuleSet, Fingerprint, Mention, PatternAlert]
    )


def test_the_new_tables_go_down_to_the_first_schema_and_up_again(settings: TriageSettings) -> None:
    config = alembic_config(settings.database_url, SPEC.migrations)
    command.downgrade(config, "0001")
    engine = create_engine(sync_url(settings.database_url))
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert "triage_decision" in tables
    assert not tables & {"triage_rule_set", "triage_fingerprint", "triage_mention"}
    command.upgrade(config, "head")
    test_the_migrated_schema_matches_the_models(settings)
