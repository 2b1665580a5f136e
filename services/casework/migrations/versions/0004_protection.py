"""Interim measures, referrals, supervisor approvals, decisions and recommendations.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from shared.db.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
TABLES = (
    "casework_recommendation",
    "casework_decision",
    "casework_approval",
    "casework_referral",
    "casework_measure",
)


def _key(name: str) -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column(name, sa.Uuid(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), nullable=False, index=True),
    ]


def _at(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def _who(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.String(200), nullable=nullable)


def _sealed(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.LargeBinary(), nullable=nullable)


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "casework_measure", *_key("measure_id"), _sealed("what"), _who("taken_by"), _at("taken_at")
    )
    op.create_table(
        "casework_referral",
        *_key("referral_id"),
        sa.Column("service", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        _who("requested_by"),
        _at("updated_at"),
    )
    op.create_table(
        "casework_approval",
        *_key("approval_id"),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _who("requested_by"),
        _at("requested_at"),
        _sealed("reason"),
        sa.Column("referral_id", sa.Uuid(), nullable=True),
        _who("decided_by", nullable=True),
        _at("decided_at", nullable=True),
        _sealed("decision_reason", nullable=True),
    )
    op.create_table(
        "casework_decision",
        *_key("decision_id"),
        _sealed("findings"),
        _sealed("child_views"),
        _sealed("views_weighed"),
        _who("decided_by"),
        _at("decided_at"),
    )
    op.create_table(
        "casework_recommendation",
        *_key("recommendation_id"),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        _who("duty_bearer"),
        _sealed("text"),
        _at("due_at"),
        sa.Column("status", sa.String(16), nullable=False),
        _sealed("response", nullable=True),
    )


def downgrade() -> None:
    """Drop the tables."""
    for table in TABLES:
        op.drop_table(table)
