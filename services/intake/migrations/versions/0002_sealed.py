"""Child data sealed at rest, keyed receipt versions, the child's messages, idempotency keys
and counted helpline calls.

The plaintext tables of 0001 are dropped and recreated sealed: no deployment held data in
them (intake had no public entrance yet); a live one would re-seal instead.

Revision ID: 0002
Revises: 0001
"""

import importlib

import sqlalchemy as sa
from alembic import op

from shared.bus.schema import create_subject_key_table, drop_subject_key_table
from shared.db.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COMPLAINT_ID = "intake_complaint.complaint_id"
SEALED = (
    "region",
    "platform",
    "happened_when",
    "contact_name",
    "contact_phone",
    "contact_email",
    "contact_best_time",
    "on_behalf_relationship",
    "reason_without_consent",
)


def _complaint() -> None:
    op.create_table(
        "intake_complaint",
        sa.Column("complaint_id", sa.Uuid(), primary_key=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("submitted_by", sa.String(16), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("age_band", sa.String(16), nullable=False),
        sa.Column("gender", sa.String(32), nullable=False),
        sa.Column("disability", sa.Boolean(), nullable=True),
        sa.Column("in_danger", sa.Boolean(), nullable=True),
        sa.Column("safe_to_contact", sa.Boolean(), nullable=False),
        sa.Column("child_consents", sa.Boolean(), nullable=True),
        sa.Column("operator_id", sa.String(100), nullable=True),
        sa.Column("narrative", sa.LargeBinary(), nullable=False),
        *(sa.Column(name, sa.LargeBinary(), nullable=True) for name in SEALED),
    )


def _receipt_and_status() -> None:
    op.create_table(
        "intake_receipt",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("key_id", sa.String(100), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), sa.ForeignKey(COMPLAINT_ID), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("complaint_id"),
    )
    op.create_table(
        "intake_status",
        sa.Column("complaint_id", sa.Uuid(), sa.ForeignKey(COMPLAINT_ID), primary_key=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("case_opened_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("explanation", sa.LargeBinary(), nullable=True),
        sa.Column("feedback_given", sa.Boolean(), nullable=False),
    )


def _messages_keys_calls() -> None:
    op.create_table(
        "intake_message",
        sa.Column("message_id", sa.Uuid(), primary_key=True),
        sa.Column("complaint_id", sa.Uuid(), sa.ForeignKey(COMPLAINT_ID), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("asks_for_information", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_intake_message_complaint_id", "intake_message", ["complaint_id"])
    op.create_table(
        "intake_idempotency",
        sa.Column("key_hash", sa.String(64), primary_key=True),
        sa.Column("complaint_id", sa.Uuid(), sa.ForeignKey(COMPLAINT_ID), nullable=False),
        sa.Column("sealed_code", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "intake_call",
        sa.Column("call_id", sa.Uuid(), primary_key=True),
        sa.Column("call_type", sa.String(32), nullable=False),
        sa.Column("operator_id", sa.String(100), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
    )


def _drop_plaintext() -> None:
    for table in ("intake_status", "intake_receipt", "intake_complaint"):
        op.drop_table(table)


def upgrade() -> None:
    """Replace the plaintext tables with sealed ones; add messages, keys and calls."""
    _drop_plaintext()
    create_subject_key_table()
    _complaint()
    _receipt_and_status()
    _messages_keys_calls()


def downgrade() -> None:
    """Back to 0001's (empty) plaintext tables."""
    for table in ("intake_call", "intake_idempotency", "intake_message"):
        op.drop_table(table)
    _drop_plaintext()
    drop_subject_key_table()
    initial = importlib.import_module("services.intake.migrations.versions.0001_initial")
    initial.create_tables()
