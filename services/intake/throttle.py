"""A per-client token bucket, in memory, that keeps receipt codes from being guessed.

Each client may make `capacity` attempts at once, refilled evenly over `window` seconds.
Clients are keyed by a keyed hash of their address (IPv6 by its /64: one subscriber usually
holds a whole /64), so not even this process's memory holds an IP address.
Memory is bounded: past `max_clients` the least recently seen client is forgotten. Each
API process keeps its own buckets; with 100-bit codes the limit makes guessing slow and
visible rather than being the only defence.
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from shared.crypto.at_rest import LookupHasher

UNKNOWN_CLIENT = "unknown"


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


def client_key(host: str | None) -> str:
    """The key a client's attempts are counted under."""
    if not host:
        return UNKNOWN_CLIENT
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


def hashed_client(lookups: LookupHasher, host: str | None) -> str:
    """The keyed hash a client's attempts are counted under (never the address itself)."""
    return lookups.digest("client-address", client_key(host))


class TokenBucketLimiter:
    """Admits or refuses one attempt at a time, per client key."""

    def __init__(
        self,
        *,
        capacity: int,
        window: float,
        max_clients: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._capacity = float(capacity)
        self._rate = capacity / window
        self._max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def attempt(self, client: str) -> float | None:
        """Spend one attempt for `client`: None if admitted, else seconds until one is."""
        now = self._clock()
        tokens = self._tokens(client, now)
        admitted = tokens >= 1.0
        self._buckets[client] = _Bucket(tokens - 1.0 if admitted else tokens, now)
        self._forget_beyond_limit()
        return None if admitted else (1.0 - tokens) / self._rate

    def wait(self, client: str) -> float | None:
        """None if `client` has an attempt left, else seconds until one (nothing spent)."""
        bucket = self._buckets.get(client)
        if bucket is None:
            return None
        now = self._clock()
        tokens = min(self._capacity, bucket.tokens + (now - bucket.updated) * self._rate)
        return None if tokens >= 1.0 else (1.0 - tokens) / self._rate

    def _tokens(self, client: str, now: float) -> float:
        bucket = self._buckets.pop(client, None)
        if bucket is None:
            return self._capacity
        return min(self._capacity, bucket.tokens + (now - bucket.updated) * self._rate)

    def _forget_beyond_limit(self) -> None:
        while len(self._buckets) > self._max_clients:
            self._buckets.popitem(last=False)
