"""The broker's settings, its cluster id, its readiness probe and its life cycle without a JVM."""

from __future__ import annotations

import base64
import socket
import struct
import threading
from pathlib import Path

import pytest

from deploy.kafka_broker import (
    KafkaBroker,
    answers_metadata,
    new_cluster_id,
    render_properties,
    server_properties,
)
from deploy.kafka_jars import BrokerError
from deploy.ports import free_port


def _properties() -> dict[str, str]:
    return server_properties(port=9092, controller_port=9093, log_dir=Path("/data/logs"))


def test_one_node_is_broker_and_controller_on_loopback() -> None:
    properties = _properties()
    assert properties["process.roles"] == "broker,controller"
    assert properties["controller.quorum.voters"] == "1@127.0.0.1:9093"
    assert properties["listeners"] == "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"
    assert properties["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9092"
    assert properties["log.dirs"] == "/data/logs"


@pytest.mark.parametrize(
    "key",
    [
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "default.replication.factor",
    ],
)
def test_single_node_replication_settings(key: str) -> None:
    assert _properties()[key] == "1"


def test_consumer_groups_start_without_delay_and_topics_are_never_auto_created() -> None:
    properties = _properties()
    assert properties["group.initial.rebalance.delay.ms"] == "0"
    assert properties["auto.create.topics.enable"] == "false"
    assert properties["num.partitions"] == "3"


def test_properties_render_one_line_each() -> None:
    assert render_properties({"a.b": "1", "c": "x y"}) == "a.b=1\nc=x y\n"


def test_cluster_ids_look_like_kafkas() -> None:
    ids = {new_cluster_id() for _ in range(200)}
    assert len(ids) == 200
    for cluster_id in ids:
        assert len(cluster_id) == 22
        assert not cluster_id.startswith("-")
        assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16


def test_ports_are_chosen_up_front_and_distinct(tmp_path: Path) -> None:
    broker = KafkaBroker(tmp_path)
    assert broker.port != broker.controller_port
    assert broker.bootstrap == f"127.0.0.1:{broker.port}"
    assert KafkaBroker(tmp_path, port=19092).bootstrap == "127.0.0.1:19092"


def test_stop_and_kill_before_start_do_nothing(tmp_path: Path) -> None:
    broker = KafkaBroker(tmp_path)
    broker.stop()
    broker.kill()
    assert broker.pid is None


def test_start_without_java_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BrokerError, match="Java is not installed"):
        KafkaBroker(tmp_path, libs=tmp_path).start()


def _metadata_answer(brokers: int) -> bytes:
    body = struct.pack(">iii", 1, 0, brokers)
    return struct.pack(">i", len(body)) + body


def test_probe_fails_when_nothing_listens() -> None:
    assert not answers_metadata(free_port())


def test_probe_needs_a_live_broker_in_the_answer() -> None:
    replies = [_metadata_answer(0), _metadata_answer(1), struct.pack(">i", 2) + b"\0\0"]
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        thread = threading.Thread(target=_answer_each, args=(server, list(replies)))
        thread.start()
        results = [answers_metadata(port), answers_metadata(port), answers_metadata(port)]
        thread.join(timeout=5)
    assert results == [False, True, False]


def _answer_each(server: socket.socket, replies: list[bytes]) -> None:
    for reply in replies:
        conn, _ = server.accept()
        with conn:
            conn.recv(1024)
            conn.sendall(reply)
