"""Casework's first schema: cases, outbox and inbox.

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
    """Create casework's tables."""
    create_bus_tables()
    op.create_table(
        "casework_case",
        sa.Column("case_id", sa.Uuid(), primary_key=True),
        sa.Column("complaint_id", sa.Uuid(), nullable=False, unique=True),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("respond_by", UTCDateTime(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_casework_case_queue_order",
        "casework_case",
        ["queue", "status", "priority", "respond_by", "opened_at", "case_id"],
    )


def downgrade() -> None:
    """Drop casework's tables."""
    op.drop_table("casework_case")
    drop_bus_tables()
