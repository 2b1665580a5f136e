"""The blocklist: keyed hashes of abusive clients' addresses, with the recorded reason.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from shared.db.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the blocklist table."""
    op.create_table(
        "intake_blocked_client",
        sa.Column("client_hash", sa.String(64), primary_key=True),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("blocked_by", sa.String(100), nullable=False),
        sa.Column("blocked_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    """Drop the blocklist table."""
    op.drop_table("intake_blocked_client")
