"""Audit's first schema: the append-only log, outbox and inbox.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.bus.schema import create_bus_tables, drop_bus_tables
from shared.db.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_REFUSAL = "audit_log_entry is append-only"

# Triggers, not grants: they hold for the table's owner too, so a bug or a stray
# session in the service itself cannot rewrite history either.
_APPEND_ONLY = {
    "postgresql": [
        f"""
        CREATE FUNCTION audit_log_entry_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{_REFUSAL}: % refused', TG_OP USING ERRCODE = 'restrict_violation';
        END;
        $$
        """,
        """
        CREATE TRIGGER audit_log_entry_no_change BEFORE UPDATE OR DELETE ON audit_log_entry
        FOR EACH ROW EXECUTE FUNCTION audit_log_entry_append_only()
        """,
        """
        CREATE TRIGGER audit_log_entry_no_truncate BEFORE TRUNCATE ON audit_log_entry
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_entry_append_only()
        """,
    ],
    "sqlite": [
        f"""
        CREATE TRIGGER audit_log_entry_no_update BEFORE UPDATE ON audit_log_entry
        BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END
        """,
        f"""
        CREATE TRIGGER audit_log_entry_no_delete BEFORE DELETE ON audit_log_entry
        BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END
        """,
    ],
}


def upgrade() -> None:
    """Create audit's tables and make the log append-only."""
    create_bus_tables()
    op.create_table(
        "audit_log_entry",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(100), nullable=True),
        sa.Column("source", sa.String(100), nullable=True),
        sa.Column("type", sa.String(100), nullable=True),
        sa.Column("subject", sa.String(100), nullable=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("dlq_reason", sa.String(64), nullable=True),
        sa.Column("dlq_consumer", sa.String(100), nullable=True),
        sa.Column("appended_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_audit_log_entry_leaf_hash", "audit_log_entry", ["leaf_hash"])
    for statement in _APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    """Drop audit's tables (the triggers go with the log)."""
    op.drop_index("ix_audit_log_entry_leaf_hash", "audit_log_entry")
    op.drop_table("audit_log_entry")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_log_entry_append_only()")
    drop_bus_tables()
