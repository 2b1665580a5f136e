"""`heard receipt verify FILE`: check a child's receipt (a c2sp.org/tlog-proof) offline.

Trusts only the keys given: the log's signed-note verifier key (`--log-key`, as
`heard audit key` prints it) and the witnesses' cosignature keys (`--witness-key`,
repeatable; at least one must have cosigned). With `--log URL` it also fetches the log's
latest checkpoint and a consistency proof, to say the log has not been rewritten since the
receipt was made. Prints the verdict in plain words, or `REFUSED: <why>` (exit 1).
"""

from __future__ import annotations

import argparse
import base64
import sys
from pathlib import Path
from typing import Any

import httpx

from shared.tlog import cosign, note
from shared.tlog.errors import BadCheckpoint, ReceiptRefused
from shared.tlog.receipt import Verdict, describe, extended, verify


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _since(verdict: Verdict, url: str, log: note.Verifier) -> Verdict:
    """`verdict`, extended to the log's latest checkpoint by a consistency proof."""
    base = url.rstrip("/")
    with httpx.Client(timeout=20) as client:
        latest = client.get(f"{base}/checkpoint").raise_for_status().text
        size = note.parse_checkpoint(note.split(latest)[0]).size
        answer = client.get(
            f"{base}/proofs/consistency", params={"old": verdict.size, "new": size}
        ).raise_for_status()
    proof = [bytes.fromhex(h) for h in answer.json()["proof"]]
    return extended(verdict, latest, log, proof)


def check_file(
    path: Path, log_key: str, witness_keys: list[str], log_url: str | None = None
) -> Verdict:
    """The verdict on the receipt in `path`; ReceiptRefused (or BadCheckpoint) if refused."""
    log = note.parse_verifier(log_key)
    witnesses = [cosign.parse_verifier_key(key) for key in witness_keys]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ReceiptRefused("the file cannot be read as text") from None
    verdict = verify(text, log, witnesses)
    return _since(verdict, log_url, log) if log_url else verdict


def verify_command(args: argparse.Namespace) -> int:
    """Run `heard receipt verify`."""
    try:
        verdict = check_file(args.file, args.log_key, args.witness_key or [], args.log)
    except (ReceiptRefused, BadCheckpoint) as refused:
        _out(f"REFUSED: {getattr(refused, 'reason', None) or refused}")
        return 1
    except httpx.HTTPError as error:
        _out(
            f"REFUSED: the log could not be asked whether it was rewritten ({type(error).__name__})"
        )
        return 1
    _out("OK: this receipt is genuine.")
    for line in describe(verdict):
        _out(line)
    _out(f"Root hash of the witnessed tree: {base64.b64encode(verdict.root).decode()}")
    return 0


def add_commands(commands: Any) -> None:
    """Add `heard receipt verify` to the `heard` parser's subcommands."""
    receipt = commands.add_parser("receipt", help="a child's proof of registration").add_subparsers(
        dest="receipt", required=True
    )
    check = receipt.add_parser("verify", help="check a receipt offline against the log's keys")
    check.add_argument("file", type=Path, help="the .tlog-proof file")
    check.add_argument("--log-key", required=True, help="the log's verifier key (heard audit key)")
    check.add_argument(
        "--witness-key", action="append", help="a trusted witness's cosigner key (repeatable)"
    )
    check.add_argument("--log", help="the log's URL, to check it was not rewritten since")
    check.set_defaults(run=verify_command)
