"""An optional, invisible proof of work for the web form, and what a flood does without one.

The form carries a challenge bound to its own token and its time (`<unix time>.<keyed hash>`,
keyed with intake's lookup secret: stateless, unforgeable). With JavaScript on, the page
finds a nonce such that SHA-256(challenge ":" nonce) starts with `bits` zero bits (static
/pow.js, WebCrypto; 2^bits hashes on average, a few hundred milliseconds on a cheap phone)
while the child writes. A submission with valid work gets the ordinary per-client limit.
Without it (JavaScript off, or a script that will not pay) it is still accepted, but under
a stricter per-client limit and a global budget (`FloodGate`): a flood of work-less posts
exhausts the budget and is refused, while children whose browsers did the work, and the
helpline and SMS channels, are not affected.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable

from shared.crypto.at_rest import LookupHasher

_CHALLENGE = re.compile(r"([0-9]{1,12})\.([0-9a-f]{32})")
_NONCE = re.compile(r"[0-9]{1,20}")


def leading_zero_bits(digest: bytes) -> int:
    """How many zero bits `digest` starts with."""
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


class ProofOfWork:
    """Issues challenges for form tokens and checks the work done on them."""

    def __init__(
        self,
        lookups: LookupHasher,
        bits: int,
        max_age: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._lookups, self.bits, self._max_age, self._clock = lookups, bits, max_age, clock

    def _mac(self, token: str, issued: int) -> str:
        return self._lookups.digest("form-work", f"{token}.{issued}")[:32]

    def challenge(self, token: str) -> str:
        """A fresh challenge bound to the form's token."""
        issued = int(self._clock())
        return f"{issued}.{self._mac(token, issued)}"

    def done(self, token: str, challenge: str, nonce: str) -> bool:
        """Whether `nonce` is valid work on a challenge this process issued for `token`."""
        found = _CHALLENGE.fullmatch(challenge)
        if found is None or not _NONCE.fullmatch(nonce):
            return False
        issued = int(found.group(1))
        if not 0 <= self._clock() - issued <= self._max_age:
            return False
        if found.group(2) != self._mac(token, issued):
            return False
        digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
        return leading_zero_bits(digest) >= self.bits


def solve(challenge: str, bits: int) -> str:
    """A nonce for `challenge` (what pow.js does; for tests and benchmarks)."""
    nonce = 0
    while leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) < bits:
        nonce += 1
    return str(nonce)


class FloodGate:
    """A global budget of work-less web submissions: `rate` a second, `burst` at once."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self._rate, self._burst, self._clock = rate, float(burst), clock
        self._tokens, self._updated = float(burst), clock()

    def admit(self) -> bool:
        """Spend one from the budget: False when a flood has used it up."""
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True
