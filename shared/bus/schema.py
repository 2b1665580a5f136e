"""Migration operations for the tables every service shares: the bus (outbox, inbox) and the
wrapped per-subject data keys of child data at rest."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db.types import UTCDateTime


def create_bus_tables() -> None:
    """Create the outbox and inbox tables (call from a service's initial migration)."""
    op.create_table(
        "heard_outbox",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=True),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_heard_outbox_published_at", "heard_outbox", ["published_at"])
    op.create_table(
        "heard_inbox",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("dedupe_key", sa.String(300), primary_key=True),
        sa.Column("processed_at", UTCDateTime(), nullable=False),
    )


def drop_bus_tables() -> None:
    """Drop the outbox and inbox tables."""
    op.drop_table("heard_inbox")
    op.drop_index("ix_heard_outbox_published_at", "heard_outbox")
    op.drop_table("heard_outbox")


def create_subject_key_table() -> None:
    """Create the table of wrapped per-subject data keys (services that store child data)."""
    op.create_table(
        "heard_subject_key",
        sa.Column("subject", sa.String(64), primary_key=True),
        sa.Column("kek_id", sa.String(100), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )


def drop_subject_key_table() -> None:
    """Drop the table of wrapped per-subject data keys."""
    op.drop_table("heard_subject_key")


def add_outbox_parking() -> None:
    """Let the relay park rows the broker will never take, and read the rows still to publish
    through a partial index that holds only them (one migration in every service)."""
    op.add_column("heard_outbox", sa.Column("parked_at", UTCDateTime(), nullable=True))
    op.add_column("heard_outbox", sa.Column("park_reason", sa.String(64), nullable=True))
    unpublished = sa.text("published_at IS NULL AND parked_at IS NULL")
    op.create_index(
        "ix_heard_outbox_unpublished",
        "heard_outbox",
        ["seq"],
        postgresql_where=unpublished,
        sqlite_where=unpublished,
    )


def drop_outbox_parking() -> None:
    """Undo `add_outbox_parking`."""
    op.drop_index("ix_heard_outbox_unpublished", "heard_outbox")
    with op.batch_alter_table("heard_outbox") as table:
        table.drop_column("park_reason")
        table.drop_column("parked_at")
