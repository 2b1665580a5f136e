"""Intake's first schema: complaints, receipts, statuses, outbox and inbox.

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

COMPLAINT_ID = "intake_complaint.complaint_id"


def upgrade() -> None:
    """Create intake's tables."""
    create_bus_tables()
    create_tables()


def create_tables() -> None:
    """Intake's own tables of this revision (0002's downgrade comes back to them)."""
    op.create_table(
        "intake_complaint",
        sa.Column("complaint_id", sa.Uuid(), primary_key=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("submitted_by", sa.String(16), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("age_band", sa.String(16), nullable=False),
        sa.Column("gender", sa.String(32), nullable=False),
        sa.Column("disability", sa.Boolean(), nullable=True),
        sa.Column("region", sa.String(100), nullable=True),
        sa.Column("contact_name", sa.String(200), nullable=True),
        sa.Column("contact_phone", sa.String(40), nullable=True),
        sa.Column("contact_email", sa.String(254), nullable=True),
        sa.Column("safe_to_contact", sa.Boolean(), nullable=False),
        sa.Column("on_behalf_relationship", sa.String(100), nullable=True),
        sa.Column("child_consents", sa.Boolean(), nullable=True),
        sa.Column("reason_without_consent", sa.String(2000), nullable=True),
    )
    op.create_table(
        "intake_receipt",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("complaint_id", sa.Uuid(), sa.ForeignKey(COMPLAINT_ID), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("complaint_id"),
    )
    op.create_table(
        "intake_status",
        sa.Column("complaint_id", sa.Uuid(), sa.ForeignKey(COMPLAINT_ID), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("case_opened_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    """Drop intake's tables."""
    op.drop_table("intake_status")
    op.drop_table("intake_receipt")
    op.drop_table("intake_complaint")
    drop_bus_tables()
