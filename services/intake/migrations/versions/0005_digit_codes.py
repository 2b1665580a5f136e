"""16-digit receipt codes: a truncated keyed tag, an Argon2id hash and the sealed opening of
the receipt's commitment. Old-form codes stay in `intake_receipt` (no new rows) and keep
working until they expire (`INTAKE_LEGACY_CODE_DAYS` after issue).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from shared.db.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table of 16-digit receipt codes."""
    op.create_table(
        "intake_receipt_code",
        sa.Column(
            "complaint_id",
            sa.Uuid(),
            sa.ForeignKey("intake_complaint.complaint_id"),
            primary_key=True,
        ),
        sa.Column("key_id", sa.String(100), nullable=False),
        sa.Column("tag", sa.String(16), nullable=False),
        sa.Column("code_hash", sa.String(200), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("sealed_opening", sa.LargeBinary(), nullable=False),
        sa.Column("returned_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_intake_receipt_code_tag", "intake_receipt_code", ["tag"])


def downgrade() -> None:
    """Drop the table of 16-digit receipt codes (their complaints can no longer be opened)."""
    op.drop_index("ix_intake_receipt_code_tag", "intake_receipt_code")
    op.drop_table("intake_receipt_code")
