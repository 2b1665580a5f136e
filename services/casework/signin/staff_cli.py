"""`heard staff add|reset|disable`: manage staff accounts on a single machine.

New and reset accounts get a random password and TOTP secret, printed once (with the
otpauth:// URI for an authenticator app) and stored only as an Argon2id hash and a secret
sealed under the sign-in process's own key.
Disabling revokes the account's sessions at once, on the list every service reads.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable

from services.casework.signin.accounts import (
    SESSION_LIFETIME,
    Credentials,
    add_account,
    disable_account,
    reset_account,
)
from services.casework.signin.settings import SigninSettings
from services.casework.signin.totp_keys import TotpSealer
from shared.auth import ROLES, revoke_sessions
from shared.clock import utcnow
from shared.db.engine import make_engine, make_session_factory


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `staff` subcommands."""
    actions = parser.add_subparsers(dest="staff_action", required=True)
    add = actions.add_parser("add", help="create an account (prints its password and TOTP)")
    add.add_argument("username")
    add.add_argument("--role", action="append", required=True, choices=sorted(ROLES))
    add.add_argument("--region", help="the region a supervisor oversees (default: all)")
    reset = actions.add_parser("reset", help="new password and TOTP; ends its sessions")
    reset.add_argument("username")
    disable = actions.add_parser("disable", help="refuse sign-in; ends its sessions")
    disable.add_argument("username")


def _shown(given: Credentials) -> str:
    return (
        f"account   {given.username}\npassword  {given.password}\n"
        f"totp      {given.totp_secret}\nscan      {given.provisioning_uri()}\n"
        "Give these to the person in private; they are not shown again."
    )


async def _run(args: argparse.Namespace, settings: SigninSettings) -> str:
    engine = make_engine(settings.database_url)
    try:
        async with make_session_factory(engine)() as session:
            now, sealer = utcnow(), TotpSealer.from_folder(settings.staff_keys_folder())
            if args.staff_action == "add":
                text = _shown(
                    await add_account(session, sealer, args.username, set(args.role), args.region)
                )
            elif args.staff_action == "reset":
                given, revoked = await reset_account(session, sealer, args.username, now)
                text = _shown(given)
            else:
                revoked = await disable_account(session, args.username, now)
                text = f"disabled {args.username}; {len(revoked)} session(s) revoked"
            if args.staff_action != "add":
                # Every service reads this list: the sessions' tokens stop working at once.
                until = now + SESSION_LIFETIME
                revoke_sessions(settings.staff_keys_folder(), dict.fromkeys(revoked, until))
            await session.commit()
            return text
    finally:
        await engine.dispose()


def run(args: argparse.Namespace, say: Callable[[str], None]) -> int:
    """Carry out one `heard staff` command; a usage error (unknown account...) returns 2."""
    try:
        say(asyncio.run(_run(args, SigninSettings())))
    except ValueError as error:
        say(f"heard staff: {error}")
        return 2
    return 0
