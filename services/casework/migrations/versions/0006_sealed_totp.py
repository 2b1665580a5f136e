"""TOTP secrets sealed at rest under the sign-in process's own key; existing rows sealed.

The key is `staff-totp-key.json` in the staff keys folder (`HEARD_STAFF_KEYS`, by default
beside the keyring), created here if an older machine has none. On SQLite, `secure_delete`
zeroes the cells and pages the plaintext leaves, so it cannot be read from the file after.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from services.casework.signin.settings import SigninSettings
from services.casework.signin.totp_keys import TotpSealer
from shared.auth import ensure_totp_key

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
TABLE = "casework_staff_account"


def _sealer() -> TotpSealer:
    folder = SigninSettings().staff_keys_folder()
    ensure_totp_key(folder)
    return TotpSealer.from_folder(folder)


def _wipe_freed_space() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA secure_delete = ON")


def upgrade() -> None:
    """Add the sealed columns, seal every secret, drop the readable column."""
    _wipe_freed_space()
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("totp_key_id", sa.String(40), nullable=True))
        batch.add_column(sa.Column("totp_sealed", sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT username, totp_secret FROM {TABLE}")).all()  # noqa: S608
    sealer = _sealer() if rows else None
    for username, secret in rows:
        assert sealer is not None  # noqa: S101 - made above whenever there are rows
        key_id, sealed = sealer.seal(username, secret)
        bind.execute(
            sa.text(
                f"UPDATE {TABLE} SET totp_key_id = :k, totp_sealed = :s, totp_secret = ''"  # noqa: S608
                " WHERE username = :u"
            ),
            {"k": key_id, "s": sealed, "u": username},
        )
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("totp_secret")
        batch.alter_column("totp_key_id", existing_type=sa.String(40), nullable=False)
        batch.alter_column("totp_sealed", existing_type=sa.LargeBinary(), nullable=False)


def downgrade() -> None:
    """Open the secrets back into a readable column (only to step back a release)."""
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(64), nullable=True))
    bind = op.get_bind()
    query = f"SELECT username, totp_key_id, totp_sealed FROM {TABLE}"  # noqa: S608
    rows = bind.execute(sa.text(query)).all()
    sealer = _sealer() if rows else None
    for username, key_id, sealed in rows:
        assert sealer is not None  # noqa: S101
        secret = sealer.open(username, key_id, sealed)
        bind.execute(
            sa.text(f"UPDATE {TABLE} SET totp_secret = :s WHERE username = :u"),  # noqa: S608
            {"s": secret, "u": username},
        )
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("totp_sealed")
        batch.drop_column("totp_key_id")
        batch.alter_column("totp_secret", existing_type=sa.String(64), nullable=False)
