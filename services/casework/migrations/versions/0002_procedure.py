"""The procedure: case version and assignee; sealed complaint content, the child's later
words, timeline, deadlines, messages to the child, pages; per-complaint data keys.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from shared.bus.schema import create_subject_key_table, drop_subject_key_table
from shared.db.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _uuid(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Uuid(), primary_key=True)


def upgrade() -> None:
    """Add the procedure's columns and tables."""
    create_subject_key_table()
    with op.batch_alter_table("casework_case") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("assignee", sa.String(200), nullable=True))
        batch.create_index("ix_casework_case_assignee", ["assignee"])
    op.create_table(
        "casework_complaint",
        _uuid("complaint_id"),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("age_band", sa.String(16), nullable=False),
        sa.Column("submitted_by", sa.String(16), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("region", sa.String(100), nullable=True),
        sa.Column("narrative", sa.LargeBinary(), nullable=False),
        sa.Column("identity", sa.LargeBinary(), nullable=True),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "casework_child_words",
        _uuid("entry_id"),
        sa.Column("complaint_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "casework_timeline",
        _uuid("entry_id"),
        sa.Column("case_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_step", sa.String(32), nullable=True),
        sa.Column("to_step", sa.String(32), nullable=True),
        sa.Column("reason", sa.LargeBinary(), nullable=True),
    )
    op.create_table(
        "casework_deadline",
        _uuid("deadline_id"),
        sa.Column("case_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("breached_at", UTCDateTime(), nullable=True),
        sa.Column("cleared_at", UTCDateTime(), nullable=True),
    )
    op.create_index(
        "ix_casework_deadline_due", "casework_deadline", ["cleared_at", "breached_at", "due_at"]
    )
    op.create_table(
        "casework_message",
        _uuid("message_id"),
        sa.Column("case_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "casework_page",
        _uuid("page_id"),
        sa.Column("case_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_send_at", UTCDateTime(), nullable=False),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(200), nullable=True),
    )
    op.create_index("ix_casework_page_due", "casework_page", ["acknowledged_at", "next_send_at"])


def downgrade() -> None:
    """Drop the procedure's tables and columns."""
    for table in ("casework_page", "casework_message", "casework_deadline", "casework_timeline"):
        op.drop_table(table)
    op.drop_table("casework_child_words")
    op.drop_table("casework_complaint")
    with op.batch_alter_table("casework_case") as batch:
        batch.drop_index("ix_casework_case_assignee")
        batch.drop_column("assignee")
        batch.drop_column("version")
    drop_subject_key_table()
