"""The Merkle tree: entries, stored subtrees, signed checkpoints, cosignatures; append-only.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from shared.db.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TABLES = ("audit_tree_node", "audit_checkpoint", "audit_cosignature")
_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


_REFUSE = """
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$
"""


def _append_only(table: str, dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
            f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()""",
        ]
    return [
        f"""CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"""
        for verb in ("UPDATE", "DELETE")
    ]


def upgrade() -> None:
    """Add the entry column, the tree's tables and their append-only triggers."""
    # Nullable: rows logged before the tree existed have no entry; new rows always do.
    op.add_column("audit_log_entry", sa.Column("entry_hash", sa.String(64), nullable=True))
    op.create_index("ix_audit_log_entry_event_id", "audit_log_entry", ["event_id"])
    op.create_table(
        "audit_tree_node",
        sa.Column("level", sa.SmallInteger(), primary_key=True, autoincrement=False),
        sa.Column("node_index", _BIG, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("size", _BIG, primary_key=True, autoincrement=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "audit_cosignature",
        sa.Column("size", _BIG, primary_key=True, autoincrement=False),
        sa.Column("witness", sa.String(256), primary_key=True),
        sa.Column("line", sa.Text(), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_REFUSE)
    for table in _TABLES:
        for statement in _append_only(table, dialect):
            op.execute(statement)


def downgrade() -> None:
    """Drop the tree (its triggers go with its tables)."""
    for table in reversed(_TABLES):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_append_only()")
    op.drop_index("ix_audit_log_entry_event_id", "audit_log_entry")
    op.drop_column("audit_log_entry", "entry_hash")
