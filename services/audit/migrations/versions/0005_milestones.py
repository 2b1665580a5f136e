"""De-identified case milestones (casework's `CaseMilestone`), by pseudonymous id.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the milestones table."""
    op.create_table(
        "audit_statistic_milestone",
        sa.Column("milestone_id", sa.String(36), primary_key=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("milestone", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("elapsed", sa.String(16), nullable=False),
        sa.Column("region", sa.String(100), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
    )
    op.create_index("ix_audit_statistic_milestone_period", "audit_statistic_milestone", ["period"])


def downgrade() -> None:
    """Drop the milestones table."""
    op.drop_table("audit_statistic_milestone")
