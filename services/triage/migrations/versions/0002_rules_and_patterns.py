"""Decisions carry categories, rule-set hash, rules fired, interim measures, admissibility;
rule sets in force; keyed hashes for duplicates and systemic patterns.

Revision ID: 0002
Revises: 0001
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from shared.db.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _decision_columns() -> tuple[sa.Column[Any], ...]:
    return (
        sa.Column("categories", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("rule_set_hash", sa.String(64), nullable=False, server_default=""),
        sa.Column("rules_fired", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("interim_measures", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("admissibility", sa.String(24), nullable=False, server_default="review"),
    )


def upgrade() -> None:
    """Add the new decision columns and triage's new tables."""
    with op.batch_alter_table("triage_decision") as batch:
        for column in _decision_columns():
            batch.add_column(column)
    with op.batch_alter_table("triage_decision") as batch:
        for column in _decision_columns():
            batch.alter_column(column.name, server_default=None)
    op.create_table(
        "triage_rule_set",
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("activated_at", UTCDateTime(), nullable=False),
        sa.Column("activated_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_triage_rule_set_activated_at", "triage_rule_set", ["activated_at"])
    op.create_table(
        "triage_fingerprint",
        sa.Column("complaint_id", sa.Uuid(), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_triage_fingerprint_digest", "triage_fingerprint", ["digest"])
    op.create_table(
        "triage_mention",
        sa.Column("complaint_id", sa.Uuid(), primary_key=True),
        sa.Column("subject_hash", sa.String(64), primary_key=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_triage_mention_subject_hash", "triage_mention", ["subject_hash"])
    op.create_table(
        "triage_pattern_alert",
        sa.Column("subject_hash", sa.String(64), primary_key=True),
        sa.Column("alerted_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    """Drop the new tables and columns."""
    for table in (
        "triage_pattern_alert",
        "triage_mention",
        "triage_fingerprint",
        "triage_rule_set",
    ):
        op.drop_table(table)
    with op.batch_alter_table("triage_decision") as batch:
        for column in _decision_columns():
            batch.drop_column(column.name)
