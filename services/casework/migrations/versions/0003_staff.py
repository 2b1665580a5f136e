"""Staff accounts and sign-in sessions (read by the sign-in service only).

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
    """Create the staff tables."""
    op.create_table(
        "casework_staff_account",
        sa.Column("username", sa.String(200), primary_key=True),
        sa.Column("password_hash", sa.String(400), nullable=False),
        sa.Column("totp_secret", sa.String(64), nullable=False),
        sa.Column("roles", sa.String(200), nullable=False),
        sa.Column("region", sa.String(100), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("last_totp_step", sa.Integer(), nullable=False),
    )
    op.create_table(
        "casework_staff_session",
        sa.Column("session_id", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(200), nullable=False, index=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    """Drop the staff tables."""
    op.drop_table("casework_staff_session")
    op.drop_table("casework_staff_account")
