"""The outbox parks rows the broker will never take; a partial index on the rows to publish.

Revision ID: 0003
Revises: 0002
"""

from shared.bus.schema import add_outbox_parking, drop_outbox_parking

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the parking columns and the partial index."""
    add_outbox_parking()


def downgrade() -> None:
    """Drop them again."""
    drop_outbox_parking()
