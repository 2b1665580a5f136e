"""Staff accounts and sign-in sessions: Argon2id passwords, TOTP for every role, lockout.

A session lives for a working day and can be revoked; the tokens it yields live minutes,
so a revoked session stops working within one token lifetime at most, and at once wherever
the revocation list is read (every service reads it).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.casework.signin.totp_keys import TotpSealer
from shared.auth import ROLES
from shared.db.types import UTCDateTime
from shared.errors import DecryptionFailed, HeardError

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=10)
_log = logging.getLogger(__name__)
_hasher = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile


class SignInRefused(HeardError):
    """Wrong name, password or code, a locked or disabled account: one answer for all."""

    status_code = 401
    public_detail = "sign-in refused: check your name, password and code"


class StaffAccount(SQLModel, table=True):
    """One member of staff who may sign in."""

    __tablename__ = "casework_staff_account"

    username: str = Field(primary_key=True, max_length=200)
    password_hash: str = Field(max_length=400)
    totp_key_id: str = Field(max_length=40)
    totp_sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    roles: str = Field(max_length=200, description="comma-separated")
    region: str | None = Field(default=None, max_length=100)
    disabled: bool = False
    failures: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    last_totp_step: int = 0


class StaffSession(SQLModel, table=True):
    """A signed-in session: refreshes tokens until it expires or is revoked."""

    __tablename__ = "casework_staff_session"

    session_id: str = Field(primary_key=True, max_length=64)
    username: str = Field(index=True, max_length=200)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


@dataclass(frozen=True)
class Credentials:
    """What a new or reset account's owner is given once, and never stored readable."""

    username: str
    password: str
    totp_secret: str

    def provisioning_uri(self) -> str:
        """The otpauth:// URI an authenticator app scans."""
        return pyotp.TOTP(self.totp_secret).provisioning_uri(
            name=self.username, issuer_name="Heard"
        )


def _checked_roles(roles: set[str]) -> str:
    unknown = roles - ROLES
    if unknown or not roles:
        raise ValueError(f"roles must be some of {sorted(ROLES)}")
    return ",".join(sorted(roles))


def new_credentials(username: str) -> Credentials:
    """A fresh random password and TOTP secret."""
    return Credentials(username, secrets.token_urlsafe(18), pyotp.random_base32())


async def add_account(
    session: AsyncSession,
    sealer: TotpSealer,
    username: str,
    roles: set[str],
    region: str | None = None,
) -> Credentials:
    """Create an account with a random password and TOTP secret (shown once, stored sealed)."""
    if await session.get(StaffAccount, username) is not None:
        raise ValueError(f"account {username!r} exists; use `heard staff reset`")
    given = new_credentials(username)
    key_id, sealed = sealer.seal(username, given.totp_secret)
    session.add(
        StaffAccount(
            username=username,
            password_hash=_hasher.hash(given.password),
            totp_key_id=key_id,
            totp_sealed=sealed,
            roles=_checked_roles(roles),
            region=region,
        )
    )
    return given


async def reset_account(
    session: AsyncSession, sealer: TotpSealer, username: str, now: datetime
) -> tuple[Credentials, list[str]]:
    """New password and TOTP secret; unlock; revoke every session (their ids returned)."""
    account = await _account(session, username)
    given = new_credentials(username)
    account.password_hash = _hasher.hash(given.password)
    account.totp_key_id, account.totp_sealed = sealer.seal(username, given.totp_secret)
    account.failures, account.locked_until, account.disabled = 0, None, False
    session.add(account)
    return given, await revoke_all(session, username, now)


async def disable_account(session: AsyncSession, username: str, now: datetime) -> list[str]:
    """Disable the account and revoke its sessions; returns the revoked session ids."""
    account = await _account(session, username)
    account.disabled = True
    session.add(account)
    return await revoke_all(session, username, now)


async def _account(session: AsyncSession, username: str) -> StaffAccount:
    account = await session.get(StaffAccount, username)
    if account is None:
        raise ValueError(f"no account {username!r}")
    return account


async def revoke_all(session: AsyncSession, username: str, now: datetime) -> list[str]:
    """Revoke every live session of `username`; returns their ids."""
    query = select(StaffSession).where(
        col(StaffSession.username) == username, col(StaffSession.revoked_at).is_(None)
    )
    revoked = []
    for row in (await session.exec(query)).all():
        row.revoked_at = now
        session.add(row)
        revoked.append(row.session_id)
    return revoked


def _password_ok(account: StaffAccount, password: str) -> bool:
    try:
        return _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _code_ok(account: StaffAccount, sealer: TotpSealer, code: str, now: datetime) -> bool:
    try:
        secret = sealer.open(account.username, account.totp_key_id, account.totp_sealed)
    except DecryptionFailed:
        # A secret sealed for another account (or damaged): never a way in.
        _log.warning("a stored TOTP secret does not open; sign-in refused")
        return False
    totp = pyotp.TOTP(secret)
    for drift in (0, -1, 1):  # one step of clock drift either way
        step = totp.timecode(now) + drift
        if step > account.last_totp_step and secrets.compare_digest(totp.generate_otp(step), code):
            account.last_totp_step = step  # a code is good once: no replay
            return True
    return False


async def sign_in(
    session: AsyncSession,
    sealer: TotpSealer,
    username: str,
    password: str,
    code: str,
    now: datetime,
) -> tuple[StaffAccount, StaffSession]:
    """Check name, password and TOTP code; count failures and lock after MAX_FAILURES."""
    account = await session.get(StaffAccount, username)
    if account is None:
        _hasher.hash(password)  # same cost as a real check: names cannot be probed by timing
        raise SignInRefused(username)
    if account.disabled or (account.locked_until is not None and account.locked_until > now):
        raise SignInRefused(username)
    if not (_password_ok(account, password) and _code_ok(account, sealer, code, now)):
        account.failures += 1
        if account.failures >= MAX_FAILURES:
            account.locked_until, account.failures = now + LOCKOUT, 0
        session.add(account)
        raise SignInRefused(username)
    account.failures, account.locked_until = 0, None
    session.add(account)
    opened = StaffSession(
        session_id=secrets.token_urlsafe(24),
        username=username,
        created_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(opened)
    return account, opened


async def live_session(
    session: AsyncSession, session_id: str, now: datetime
) -> tuple[StaffAccount, StaffSession] | None:
    """The account and session behind a refresh, if the session still holds."""
    row = await session.get(StaffSession, session_id)
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    account = await session.get(StaffAccount, row.username)
    if account is None or account.disabled:
        return None
    return account, row
