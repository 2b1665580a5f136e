"""A real Apache Kafka broker (KRaft, one node as broker and controller) on this machine.

Its jars come from `deploy.kafka_jars` (Maven Central, or `$KAFKA_HOME`).
"""

from __future__ import annotations

import atexit
import base64
import os
import shutil
import socket
import struct
import time
from collections.abc import Mapping
from pathlib import Path

from deploy.kafka_jars import DEFAULT_VAR, BrokerError, kafka_libs
from deploy.ports import free_ports
from deploy.processes import ManagedProcess, ProcessSpec, run_to_completion, tail

LOG_TAIL_LINES = 40


def server_properties(*, port: int, controller_port: int, log_dir: Path) -> dict[str, str]:
    """The settings of a single node that is both broker and controller, on loopback only."""
    return {
        "process.roles": "broker,controller",
        "node.id": "1",
        # A static voter set (no --standalone at format time): the simplest KRaft quorum.
        "controller.quorum.voters": f"1@127.0.0.1:{controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(log_dir),
        "num.partitions": "3",
        "default.replication.factor": "1",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        # Fewer internal partitions than the default 50: a test run starts many brokers, and
        # each creates these topics on its first consumer group.
        "offsets.topic.num.partitions": "10",
        "transaction.state.log.num.partitions": "10",
        "group.initial.rebalance.delay.ms": "0",
        # Services create their own topics; a typo must not create a new one.
        "auto.create.topics.enable": "false",
    }


def render_properties(properties: Mapping[str, str]) -> str:
    """Java properties text, one `key=value` a line (our values need no escaping)."""
    return "".join(f"{key}={value}\n" for key, value in properties.items())


LOG4J2 = """\
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = out
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.config.name = org.apache.kafka.common.config
logger.config.level = warn
"""


def new_cluster_id() -> str:
    """A cluster id as Kafka's `Uuid.randomUuid()` makes one (no leading '-', for CLIs' sake)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


def answers_metadata(port: int, *, timeout: float = 2.0) -> bool:
    """Whether a broker on 127.0.0.1:`port` answers a Metadata request listing a live broker.

    Metadata v4 (the oldest Kafka 4 accepts, non-flexible) needs no client library, and works
    whether or not an asyncio loop is running in the caller.
    """
    client = b"heard-probe"
    body = struct.pack(">hhih", 3, 4, 1, len(client)) + client + struct.pack(">ib", -1, 0)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
            conn.sendall(struct.pack(">i", len(body)) + body)
            (size,) = struct.unpack(">i", _receive(conn, 4))
            answer = _receive(conn, size)
        _correlation, _throttle, brokers = struct.unpack_from(">iii", answer)
    except (OSError, struct.error):
        return False
    return bool(brokers > 0)


def _receive(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("broker closed the connection")
        data += chunk
    return data


class KafkaBroker:
    """One Kafka node under `data_dir`, run as a child process in its own process group.

    Ports are chosen once, here, so `restart()` comes back on the same address with the same
    data; `bootstrap` is known before `start()`.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        libs: Path | None = None,
        heap: str = "512m",
    ) -> None:
        self.data_dir = data_dir
        chosen = free_ports(2)
        self.port = port or chosen[0]
        self.controller_port = next(p for p in chosen if p != self.port)
        self.heap = heap
        self._libs = libs
        self._process: ManagedProcess | None = None

    @property
    def bootstrap(self) -> str:
        """The address clients bootstrap from."""
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The broker's process id while it runs (also its process group id)."""
        return self._process.pid if self._process else None

    @property
    def log_path(self) -> Path:
        """Where the broker's own log goes (stdout and stderr)."""
        return self.data_dir / "broker.log"

    def start(self, timeout: float = 90) -> None:
        """Format storage on first use, launch the broker, wait until it serves metadata."""
        if self._process is not None and self._process.alive():
            return
        java = self._java()
        config = self._write_config()
        if not (self.data_dir / "logs" / "meta.properties").exists():
            format_storage = [*java, "kafka.tools.StorageTool", "format", "--ignore-formatted"]
            format_storage += ["-t", new_cluster_id(), "-c", str(config)]
            run_to_completion(self._spec("kafka-storage-format", format_storage))
        self._process = ManagedProcess(self._spec("kafka", [*java, "kafka.Kafka", str(config)]))
        self._process.start()
        _RUNNING.add(self)
        self._await_ready(self._process, timeout)

    def _spec(self, name: str, argv: list[str]) -> ProcessSpec:
        return ProcessSpec(name=name, argv=argv, log_path=self.log_path, cwd=self.data_dir)

    def _java(self) -> list[str]:
        libs = self._libs or kafka_libs(DEFAULT_VAR)
        java = shutil.which("java")
        if java is None:
            raise BrokerError("Java is not installed: Kafka 4 needs Java 17 or newer")
        logging = f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}"
        # Modest and quiet: tests run several brokers at once on a small machine.
        flags = ["-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:+ExitOnOutOfMemoryError"]
        return [java, f"-Xmx{self.heap}", *flags, logging, "-cp", f"{libs}/*"]

    def _write_config(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "log4j2.properties").write_text(LOG4J2)
        config = self.data_dir / "server.properties"
        properties = server_properties(
            port=self.port, controller_port=self.controller_port, log_dir=self.data_dir / "logs"
        )
        config.write_text(render_properties(properties))
        return config

    def _await_ready(self, process: ManagedProcess, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not answers_metadata(self.port):
            code = process.exit_code()
            if code is not None or time.monotonic() > deadline:
                self.stop()
                what = f"exited with {code}" if code is not None else f"not up in {timeout:.0f} s"
                raise BrokerError(
                    f"Kafka broker on {self.bootstrap} {what}; {self.log_path} ends:\n"
                    f"{tail(self.log_path, LOG_TAIL_LINES)}"
                )
            time.sleep(0.2)

    def stop(self, timeout: float = 30) -> None:
        """Ask the broker to shut down cleanly; SIGKILL it if it takes over `timeout` s."""
        process = self._process
        if process is None:
            return
        try:
            process.stop(timeout)
        finally:
            # Also when interrupted while waiting: the broker must not outlive us.
            if process.alive():
                process.kill()
            self._forget()

    def kill(self) -> None:
        """SIGKILL the broker now, as a crash would."""
        if self._process is not None:
            self._process.kill()
        self._forget()

    def alive(self) -> bool:
        """Whether the broker's process is running."""
        return self._process is not None and self._process.alive()

    def restart(self) -> None:
        """Stop and start again on the same ports and data."""
        self.stop()
        self.start()

    def _forget(self) -> None:
        self._process = None
        _RUNNING.discard(self)

    def __enter__(self) -> KafkaBroker:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


_RUNNING: set[KafkaBroker] = set()


@atexit.register
def _stop_running() -> None:
    """No broker outlives an interpreter that exits normally (a SIGKILL still orphans it)."""
    for broker in list(_RUNNING):
        broker.stop(timeout=10)
