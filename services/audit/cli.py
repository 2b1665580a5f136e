"""`heard audit key|verify|witness`: the log's public key, and what oversight bodies run.

`verify` talks to the log over HTTP only and trusts nothing but the verifier key given.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from services.audit.settings import AuditSettings
from services.audit.verifier import PARALLEL, Report, Request, VerificationFailed, verify
from services.audit.witness import Witness, create_witness_app
from shared.crypto.keyfiles import load_service_keyring
from shared.tlog import note
from shared.tlog.errors import BadCheckpoint

DEFAULT_STATE = Path("heard-audit-state.json")
BAR = 30


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def key(args: argparse.Namespace) -> int:
    """Print the log's verifier key (`<origin>+<key id>+<key>`) from the keyring."""
    settings = AuditSettings(HEARD_KEYRING=args.keyring)
    signing = load_service_keyring(settings.keyring_path, "audit").signing_key("audit")
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


def _event_id(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise argparse.ArgumentTypeError("--event takes an event id (a UUID)") from None


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
        + (f"; cosigned by {', '.join(report.witnessed_by)}" if report.witnessed_by else "")
    )


async def _run(url: str, request: Request) -> Report:
    base = url.rstrip("/") + "/"
    limits = httpx.Limits(max_connections=PARALLEL, max_keepalive_connections=PARALLEL)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        return await verify(client, request, _progress)


def verify_command(args: argparse.Namespace) -> int:
    """Verify the log at `args.log`; print a verdict; 0 if it verifies, 1 if not."""
    try:
        verifier = note.parse_verifier(args.key)
        events = tuple(_event_id(e) for e in args.event or ())
        witnesses = tuple(args.witness or ())
        request = Request(verifier, args.state, _range(args.entries), events, witnesses)
        report = asyncio.run(_run(args.log, request))
    except (BadCheckpoint, VerificationFailed, ValueError, argparse.ArgumentTypeError) as error:
        _out(f"FAIL: {error}")
        return 1
    _out(_verdict(report))
    return 0


def load_witness_key(path: Path) -> Ed25519PrivateKey:
    """The witness's key from `path`, made (0600) on first use."""
    if not path.exists():
        raw = Ed25519PrivateKey.generate().private_bytes(
            Encoding.Raw, PrivateFormat.Raw, NoEncryption()
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(base64.b64encode(raw).decode() + "\n")
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(path.read_text().strip()))


def witness(args: argparse.Namespace) -> int:
    """Run a witness for the logs given until Ctrl-C; print its cosigner key first."""
    try:
        logs = [note.parse_verifier(k) for k in args.log]
    except BadCheckpoint as error:
        _out(f"heard audit witness: {error}")
        return 2
    running = Witness(args.name, load_witness_key(args.key_file), logs, args.state)
    _out(f"witness {args.name}: key {running.vkey()}")
    uvicorn.run(create_witness_app(running), host=args.host, port=args.port, log_level="warning")
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
    check.add_argument(
        "--witness", action="append", help="a witness's cosigner key it must cosign (repeatable)"
    )
    check.set_defaults(run=verify_command)
    cosigner = audit.add_parser("witness", help="run a witness that cosigns consistent checkpoints")
    cosigner.add_argument("--name", required=True, help="its name, e.g. witness.example.org/w1")
    cosigner.add_argument("--key-file", type=Path, required=True, help="made if absent")
    cosigner.add_argument("--state", type=Path, required=True, help="last cosigned per log")
    cosigner.add_argument("--log", action="append", required=True, help="a log's verifier key")
    cosigner.add_argument("--host", default="127.0.0.1")
    cosigner.add_argument("--port", type=int, default=8010)
    cosigner.set_defaults(run=witness)
