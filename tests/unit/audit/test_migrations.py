"""Audit's migrations build exactly the tables its models declare."""

from services.audit.db import AuditLogEntry
from services.audit.settings import AuditSettings
from services.audit.statistics_db import FeedbackRow, MilestoneRow, ProfileRow
from services.audit.tree_db import Cosignature, SignedCheckpoint, TreeNode
from tests.support.schema import assert_schema_matches


def test_the_migrated_schema_matches_the_models(settings: AuditSettings) -> None:
    assert_schema_matches(
        settings.database_url,
        [
            AuditLogEntry,
            TreeNode,
            SignedCheckpoint,
            Cosignature,
            ProfileRow,
            FeedbackRow,
            MilestoneRow,
        ],
    )
