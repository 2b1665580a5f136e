"""`heard dlq list|show|redrive`: the commands over deploy.dlq."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

from deploy import dlq
from shared.bus.dlq_signing import REASON_HEADER
from shared.bus.topics import TopicNamespace
from shared.events.contracts import TOPICS
from shared.settings import ServiceSettings

Bootstrap = Callable[[argparse.Namespace], str]
Say = Callable[[str], None]


def _names() -> TopicNamespace:
    return TopicNamespace(os.environ.get("HEARD_TOPIC_PREFIX", ""))


def _dead_letters(args: argparse.Namespace) -> list[dlq.DeadLetter]:
    keys = dlq.public_keys(args.keyring)
    topics = args.topic or TOPICS
    return asyncio.run(dlq.read_dead_letters(args.bootstrap_of(args), _names(), keys, topics))


def dlq_list(args: argparse.Namespace) -> int:
    """List every dead letter: where it is, why, who refused it, whether that is signed."""
    args.say(dlq.render_list(_dead_letters(args)))
    return 0


def dlq_show(args: argparse.Namespace) -> int:
    """Show one dead letter's attributes and refusal; never its (sealed) data."""
    (letter,) = dlq.select(_dead_letters(args), [args.ref], lambda _d: True)
    args.say(dlq.render_one(letter))
    return 0


def dlq_redrive(args: argparse.Namespace) -> int:
    """Publish dead letters' original records to their topics again (inboxes dedupe)."""
    if not args.refs and not args.all:
        sys.stderr.write("heard: name the dead letters to re-drive, or --all\n")
        return 2
    inbox_days = ServiceSettings().inbox_retention_days
    chosen = dlq.select(
        _dead_letters(args),
        args.refs,
        lambda d: args.reason in (None, d.attribute(REASON_HEADER)),
    )
    old = [] if args.include_old else [d for d in chosen if dlq.too_old(d, inbox_days)]
    for letter in old:
        args.say(f"skipped     {letter.ref}: older than the inbox retention (--include-old)")
    fresh = [d for d in chosen if d not in old]
    sent = asyncio.run(dlq.redrive(args.bootstrap_of(args), _names(), fresh))
    args.say(f"re-driven   {sent} dead letter(s); each consumer applies them at most once")
    return 0


def add_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    default_keys: Path,
    bootstrap: Bootstrap,
    say: Say,
) -> None:
    """Add `dlq list|show|redrive` to the `heard` parser."""
    letters = commands.add_parser("dlq", help="dead letters: list, show, re-drive")
    letters.set_defaults(bootstrap_of=bootstrap, say=say)
    letters.add_argument("--bootstrap", help="broker address (default as for `heard status`)")
    letters.add_argument(
        "--keyring", type=Path, default=default_keys, help="keys to check signatures with"
    )
    letters.add_argument("--topic", action="append", choices=TOPICS, help="repeat for more")
    actions = letters.add_subparsers(dest="dlq", required=True)
    actions.add_parser("list", help="every dead letter").set_defaults(run=dlq_list)
    show = actions.add_parser("show", help="one dead letter, never its data")
    show.add_argument("ref", help="<topic>.dlq/<partition>/<offset>, as `list` prints it")
    show.set_defaults(run=dlq_show)
    again = actions.add_parser("redrive", help="publish the originals to their topics again")
    again.add_argument("refs", nargs="*", help="dead letters as `list` prints them")
    again.add_argument("--all", action="store_true", help="every dead letter (of --topic)")
    again.add_argument("--reason", help="only dead letters refused for this reason")
    again.add_argument(
        "--include-old", action="store_true", help="also events older than the inbox retention"
    )
    again.set_defaults(run=dlq_redrive)
