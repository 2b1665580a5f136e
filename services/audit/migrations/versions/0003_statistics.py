"""De-identified statistics: complaint profiles and children's feedback, by pseudonymous id.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the two statistics tables."""
    op.create_table(
        "audit_statistic_profile",
        sa.Column("profile_id", sa.String(36), primary_key=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("submitted_by", sa.String(16), nullable=False),
        sa.Column("age_band", sa.String(16), nullable=False),
        sa.Column("gender", sa.String(24), nullable=False),
        sa.Column("disability", sa.String(8), nullable=False),
        sa.Column("region", sa.String(100), nullable=False),
        sa.Column("categories", sa.String(2000), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
    )
    op.create_index("ix_audit_statistic_profile_period", "audit_statistic_profile", ["period"])
    op.create_table(
        "audit_statistic_feedback",
        sa.Column("feedback_id", sa.String(36), primary_key=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("felt_heard", sa.String(16), nullable=False),
        sa.Column("helped", sa.String(16), nullable=False),
        sa.Column("age_band", sa.String(16), nullable=False),
    )
    op.create_index("ix_audit_statistic_feedback_period", "audit_statistic_feedback", ["period"])


def downgrade() -> None:
    """Drop the statistics tables."""
    op.drop_table("audit_statistic_feedback")
    op.drop_table("audit_statistic_profile")
