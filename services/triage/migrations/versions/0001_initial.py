"""Triage's first schema: decisions, outbox and inbox.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.bus.schema import create_bus_tables, drop_bus_tables
from shared.db.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create triage's tables."""
    create_bus_tables()
    op.create_table(
        "triage_decision",
        sa.Column("complaint_id", sa.Uuid(), primary_key=True),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("respond_by", UTCDateTime(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("rule_set", sa.String(64), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_triage_decision_queue", "triage_decision", ["queue"])


def downgrade() -> None:
    """Drop triage's tables."""
    op.drop_table("triage_decision")
    drop_bus_tables()
