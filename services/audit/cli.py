"""`heard audit key|verify|witness`: the log's public key, and what oversight bodies run.

`verify` talks to the log over HTTP only and trusts nothing but the verifier key given.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx

from services.audit import note
from services.audit.errors import BadCheckpoint
from services.audit.settings import AuditSettings
from services.audit.verifier import Report, Request, VerificationFailed, verify
from shared.crypto.keyring import FileKeyring

DEFAULT_STATE = Path("heard-audit-state.json")
BAR = 30


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def key(args: argparse.Namespace) -> int:
    """Print the log's verifier key (`<origin>+<key id>+<key>`) from the keyring."""
    settings = AuditSettings(HEARD_KEYRING=args.keyring)
    signing = FileKeyring.load(settings.keyring_path).signing_key("audit")
    _out(note.verifier_of(settings.log_origin, signing).encode())
    return 0


def _progress(stage: str, done: int, total: int) -> None:
    filled = BAR * done // max(total, 1)
    sys.stderr.write(f"\r{stage:>14} [{'#' * filled}{'.' * (BAR - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _range(text: str | None) -> range | None:
    if text is None or text == "all":
        return None
    if text == "none":
        return range(0)
    start, _, stop = text.partition(":")
    if not (start.isdigit() and stop.isdigit()) or int(start) > int(stop):
        raise argparse.ArgumentTypeError("--entries takes all, none or START:STOP")
    return range(int(start), int(stop))


def _verdict(report: Report) -> str:
    checkpoint = report.checkpoint
    history = (
        "first run: no earlier checkpoint to compare"
        if report.previous is None
        else f"extends the checkpoint of {report.previous} entries seen before"
    )
    return (
        f"OK: {checkpoint.origin} signed {checkpoint.size} entries, root "
        f"{checkpoint.root.hex()}; {history}; {report.entries_checked} entries and "
        f"{len(report.events_checked)} events checked"
    )


async def _run(url: str, request: Request) -> Report:
    base = url.rstrip("/") + "/"
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        return await verify(client, request, _progress)


def verify_command(args: argparse.Namespace) -> int:
    """Verify the log at `args.log`; print a verdict; 0 if it verifies, 1 if not."""
    try:
        verifier = note.parse_verifier(args.key)
        events = tuple(str(uuid.UUID(e)) for e in args.event or ())
        request = Request(verifier, args.state, _range(args.entries), events)
        report = asyncio.run(_run(args.log, request))
    except (BadCheckpoint, VerificationFailed, ValueError, argparse.ArgumentTypeError) as error:
        _out(f"FAIL: {error}")
        return 1
    _out(_verdict(report))
    return 0


def add_commands(commands: Any, default_keys: Path) -> None:
    """Add `heard audit ...` to the `heard` parser's subcommands."""
    audit = commands.add_parser("audit", help="the transparency log").add_subparsers(
        dest="audit", required=True
    )
    show = audit.add_parser("key", help="print the log's verifier key")
    show.add_argument("--keyring", type=Path, default=default_keys)
    show.set_defaults(run=key)
    check = audit.add_parser("verify", help="verify the log, trusting only its key")
    check.add_argument("log", help="the log's prefix, e.g. http://127.0.0.1:8004/log")
    check.add_argument("--key", required=True, help="the log's verifier key")
    check.add_argument("--state", type=Path, default=DEFAULT_STATE, help="last checkpoint seen")
    check.add_argument("--entries", default="all", help="all, none or START:STOP")
    check.add_argument("--event", action="append", help="an event id to prove (repeatable)")
    check.set_defaults(run=verify_command)
