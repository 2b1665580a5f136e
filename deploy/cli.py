"""The `heard` command: run the whole system, look at the bus, manage keys and the broker.

heard up                 broker (unless KAFKA_BOOTSTRAP_SERVERS), keys, four services
heard status             consumer-group lag, dead-letter counts, parked outbox rows
heard dlq list|show|redrive   dead letters: inspect them, send them through again
heard keys init|rotate|activate   one keyring per service; two-step key rotation
heard broker fetch|run   Apache Kafka's jars from Maven Central; a broker in the foreground
heard staff add|reset|disable   staff accounts for sign-in (password + TOTP)
heard token              a staff token for trying the queues and the audit log by hand
heard triage eval        the triage rules' figures on the evaluation corpus
heard audit key|verify   the transparency log's key; verify it as an oversight body would
heard receipt verify     check a child's proof of registration offline
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

from aiokafka.errors import KafkaConnectionError

from deploy import dlq_cli, receipt
from deploy.kafka_broker import KafkaBroker
from deploy.kafka_jars import kafka_libs
from deploy.keys import ensure_keys, init_keys
from deploy.ports import free_port
from deploy.status import read_parked, read_status, render_parked
from deploy.system import REPO, SERVICES, SIGNIN, HeardSystem, SystemConfig
from deploy.witness import local_witness
from services import registry
from services.audit import cli as audit_cli
from services.casework.signin import staff_cli
from services.triage import evaluation as triage_evaluation
from shared.auth import ROLES, ensure_issuer_files, load_issuer
from shared.bus.topics import TopicNamespace
from shared.crypto.keyfiles import activate_key, distribute_key
from shared.errors import HeardError
from shared.events.contracts import TOPICS

log = logging.getLogger("heard.cli")

VAR = REPO / "var"
BROKER_PORT = 9092
BOOTSTRAP_FILE = "bootstrap"  # the running system's broker address, under `var`
SUBSCRIPTIONS = {s.name: s.subscribes for s in registry.SERVICES}


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


@contextlib.contextmanager
def _broker(var: Path) -> Iterator[KafkaBroker | str]:
    """The broker to use: KAFKA_BOOTSTRAP_SERVERS if set, else our own under `var`."""
    configured = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if configured:
        _say(f"broker      {configured} (KAFKA_BOOTSTRAP_SERVERS)")
        yield configured
        return
    port = BROKER_PORT if _port_free(BROKER_PORT) else free_port()
    broker = KafkaBroker(var / "kafka" / "data", port=port, libs=kafka_libs(var))
    _say("broker      starting Apache Kafka (KRaft) ...")
    broker.start()
    _say(f"broker      {broker.bootstrap}")
    try:
        yield broker
    finally:
        broker.stop()


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _keyring(var: Path) -> Path:
    path = Path(os.environ.get("HEARD_KEYRING", var / "keys"))
    if ensure_keys(path):
        _say(f"keys        created one keyring per service in {path} (0600; never commit them)")
    ensure_issuer_files(path)
    return path


def _supervise_until_signal(system: HeardSystem, broker: KafkaBroker | str) -> None:
    """Block until SIGINT/SIGTERM, starting again any process that exits on its own, the
    broker we run included (the services wait for it meanwhile)."""
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    while not stopped.wait(1.0):
        if isinstance(broker, KafkaBroker) and not broker.alive():
            _say(f"broker      exited; starting it again (see {broker.log_path})")
            broker.start()
            _say(f"broker      {broker.bootstrap} is back")
        for name in system.restart_crashed():
            _say(f"restarted   {name} (it had exited; see {system.log_dir}/{name}.log)")


@contextlib.contextmanager
def _announced(var: Path, bootstrap: str) -> Iterator[None]:
    """Leave the broker's address in `var` while the system runs, for `heard status`."""
    path = var / BOOTSTRAP_FILE
    path.write_text(bootstrap + "\n", "utf-8")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def up(args: argparse.Namespace) -> int:
    """Run broker, keys and the four services until Ctrl-C."""
    var: Path = args.var
    var.mkdir(parents=True, exist_ok=True)
    with _broker(var) as broker:
        bootstrap = broker.bootstrap if isinstance(broker, KafkaBroker) else broker
        with _announced(var, bootstrap):
            config = SystemConfig.from_environment(
                os.environ,
                var_dir=var,
                kafka_bootstrap_servers=bootstrap,
                keyring_path=_keyring(var),
            )
            config, witness = local_witness(config)
            system = HeardSystem(config)
            system.processes.add(witness)
            system.start()
            try:
                for service in SERVICES:
                    _say(f"{service:<12}{config.url(service)}/docs  (logs: {system.log_dir})")
                _say(f"{'sign-in':<12}{config.url(SIGNIN)}/signin  (staff: `heard staff add`)")
                _say("Heard is up. Ctrl-C stops everything.")
                _supervise_until_signal(system, broker)
            finally:
                _say("stopping ...")
                system.stop()
    return 0


def _bootstrap(args: argparse.Namespace) -> str:
    """--bootstrap, else KAFKA_BOOTSTRAP_SERVERS, else the broker `heard up` announced."""
    announced = args.var / BOOTSTRAP_FILE
    return str(
        args.bootstrap
        or os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        or (announced.read_text("utf-8").strip() if announced.exists() else None)
        or f"127.0.0.1:{BROKER_PORT}"
    )


def status(args: argparse.Namespace) -> int:
    """Print consumer lag, dead-letter counts and parked outbox rows."""
    bootstrap = _bootstrap(args)
    names = TopicNamespace(os.environ.get("HEARD_TOPIC_PREFIX", ""))
    config = SystemConfig.from_environment(
        os.environ, var_dir=args.var, kafka_bootstrap_servers=bootstrap, keyring_path=args.var
    )
    parked = asyncio.run(read_parked({s: config.database_url(s) for s in SERVICES}))
    try:
        report = asyncio.run(read_status(bootstrap, SUBSCRIPTIONS, names))
    except KafkaConnectionError:
        sys.stderr.write(f"heard: no Kafka broker answers at {bootstrap}; is `heard up` running?\n")
        _say(render_parked(parked))
        return 1
    _say(report.render() + "\n\n" + render_parked(parked))
    return 0


def keys_init(args: argparse.Namespace) -> int:
    """Create one keyring per service and the staff-token issuer key (refuses to overwrite)."""
    init_keys(args.path)
    ensure_issuer_files(args.path)
    _say(f"created one keyring per service and the issuer key in {args.path} (0600; never commit)")
    return 0


def keys_rotate(args: argparse.Namespace) -> int:
    """Rotation, step 1: a new data key for a topic, given to every service that holds it."""
    key_id = distribute_key(args.path, args.topic)
    _say(f"{args.topic}: distributed {key_id}; `heard keys activate {args.topic} {key_id}` next")
    return 0


def keys_activate(args: argparse.Namespace) -> int:
    """Rotation, step 2: new events on the topic are sealed with the distributed key."""
    activate_key(args.path, args.topic, args.key_id)
    _say(f"{args.topic}: {args.key_id} is current; old keys still open old events")
    return 0


def token(args: argparse.Namespace) -> int:
    """Print a staff token signed by the single machine's issuer key, holding only the roles
    named (none unless one is)."""
    issuer = load_issuer(args.keyring)
    _say(issuer.issue(args.subject, set(args.role or ()), ttl=timedelta(hours=args.hours)))
    return 0


def broker_fetch(args: argparse.Namespace) -> int:
    """Fetch (once) Apache Kafka's jars from Maven Central."""
    _say(f"Apache Kafka jars in {kafka_libs(args.var)}")
    return 0


def broker_run(args: argparse.Namespace) -> int:
    """Run a broker in the foreground until Ctrl-C."""
    broker = KafkaBroker(args.var / "kafka" / "data", port=args.port, libs=kafka_libs(args.var))
    broker.start()
    _say(f"broker {broker.bootstrap} (Ctrl-C stops it)")
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    try:
        stopped.wait()
    finally:
        broker.stop()
    return 0


def triage_eval(args: argparse.Namespace) -> int:
    """Print the urgency confusion table and per-category figures for a rule set."""
    _say(triage_evaluation.main(args.rules, args.corpus))
    return 0


def _triage_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    triage = commands.add_parser("triage", help="triage's rules").add_subparsers(
        dest="triage", required=True
    )
    evaluate = triage.add_parser("eval", help="measure a rule set on the evaluation corpus")
    evaluate.add_argument("--rules", type=Path, help="a rule file (default: the one in force)")
    evaluate.add_argument("--corpus", type=Path, default=triage_evaluation.CORPUS_DIR)
    evaluate.set_defaults(run=triage_eval)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="heard", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--var", type=Path, default=VAR, help="where data and logs live")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="run the whole system until Ctrl-C").set_defaults(run=up)
    show = commands.add_parser("status", help="consumer lag and dead-letter counts")
    show.add_argument(
        "--bootstrap",
        help="broker address (default: KAFKA_BOOTSTRAP_SERVERS, else the one `heard up` runs)",
    )
    show.set_defaults(run=status)
    keys = commands.add_parser("keys", help="the single-machine keyring").add_subparsers(
        dest="keys", required=True
    )
    default_keys = Path(os.environ.get("HEARD_KEYRING", VAR / "keys"))
    init = keys.add_parser("init", help="create one keyring per service")
    init.add_argument("--path", type=Path, default=default_keys)
    init.set_defaults(run=keys_init)
    rotate = keys.add_parser("rotate", help="step 1: distribute a new data key for a topic")
    rotate.add_argument("topic", choices=TOPICS)
    rotate.add_argument("--path", type=Path, default=default_keys)
    rotate.set_defaults(run=keys_rotate)
    activate = keys.add_parser("activate", help="step 2: seal new events with that key")
    activate.add_argument("topic", choices=TOPICS)
    activate.add_argument("key_id")
    activate.add_argument("--path", type=Path, default=default_keys)
    activate.set_defaults(run=keys_activate)
    broker = commands.add_parser("broker", help="Apache Kafka").add_subparsers(
        dest="broker", required=True
    )
    broker.add_parser("fetch", help="fetch the jars from Maven Central").set_defaults(
        run=broker_fetch
    )
    run = broker.add_parser("run", help="run a broker in the foreground")
    run.add_argument("--port", type=int, default=BROKER_PORT)
    run.set_defaults(run=broker_run)
    accounts = commands.add_parser("staff", help="staff accounts for sign-in (single machine)")
    staff_cli.add_arguments(accounts)
    accounts.set_defaults(run=lambda args: staff_cli.run(args, _say))
    staff = commands.add_parser("token", help="a staff token for trying the APIs by hand")
    staff.add_argument("--subject", default=getpass.getuser(), help="who the token names")
    staff.add_argument(
        "--role", action="append", choices=sorted(ROLES), help="repeat for more (default: none)"
    )
    staff.add_argument("--hours", type=float, default=1, help="how long it is valid")
    staff.add_argument("--keyring", type=Path, default=default_keys)
    staff.set_defaults(run=token)
    _triage_commands(commands)
    dlq_cli.add_commands(commands, default_keys, _bootstrap, _say)
    audit_cli.add_commands(commands, default_keys)
    receipt.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `heard` console script."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # One line per health probe would bury the addresses `heard up` prints.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # aiokafka logs each failed connection attempt; the command reports the outcome once itself.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except (HeardError, RuntimeError, TimeoutError, OSError) as error:
        sys.stderr.write(f"heard: {error}\n")
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
