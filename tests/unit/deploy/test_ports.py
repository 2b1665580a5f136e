"""Free loopback ports."""

from __future__ import annotations

import socket

from deploy.ports import free_port, free_ports


def test_a_free_port_can_be_bound_on_loopback() -> None:
    port = free_port()
    assert 1024 <= port <= 65535
    with socket.create_server(("127.0.0.1", port)):
        pass


def test_free_ports_are_distinct() -> None:
    ports = free_ports(5)
    assert len(set(ports)) == 5
