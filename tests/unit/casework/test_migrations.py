"""Casework's migrations build exactly the tables its models describe."""

from __future__ import annotations

from services.casework.db import TABLES
from services.casework.settings import CaseworkSettings
from services.casework.signin.accounts import StaffAccount, StaffSession
from shared.crypto.at_rest import SubjectKey
from tests.support.schema import assert_schema_matches


def test_the_migrated_schema_matches_the_models(settings: CaseworkSettings) -> None:
    assert_schema_matches(settings.database_url, [*TABLES, SubjectKey, StaffAccount, StaffSession])
