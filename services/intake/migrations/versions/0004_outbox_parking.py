"""The outbox parks rows the broker will never take; a partial index on the rows to publish.

Revision ID: 0004
Revises: 0003
"""

from shared.bus.schema import add_outbox_parking, drop_outbox_parking

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the parking columns and the partial index."""
    add_outbox_parking()


def downgrade() -> None:
    """Drop them again."""
    drop_outbox_parking()
