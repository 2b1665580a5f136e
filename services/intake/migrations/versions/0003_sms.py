"""SMS conversations: the sender found by a keyed hash, the number stored only sealed.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from shared.db.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the SMS conversation table."""
    op.create_table(
        "intake_sms_conversation",
        sa.Column("sender_hash", sa.String(64), primary_key=True),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("phone", sa.LargeBinary(), nullable=False),
        sa.Column("narrative", sa.LargeBinary(), nullable=True),
        sa.Column("complaint_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    """Drop the SMS conversation table."""
    op.drop_table("intake_sms_conversation")
