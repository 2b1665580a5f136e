"""The lookup limiter: a burst up to capacity, then refusals that say how long to wait."""

from __future__ import annotations

import pytest

from services.intake.throttle import UNKNOWN_CLIENT, TokenBucketLimiter, client_key


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _limiter(clock: Clock, *, capacity: int = 3, max_clients: int = 100) -> TokenBucketLimiter:
    return TokenBucketLimiter(capacity=capacity, window=60, max_clients=max_clients, clock=clock)


def test_a_burst_up_to_capacity_then_a_wait_until_one_attempt_refills() -> None:
    clock = Clock()
    limiter = _limiter(clock)
    assert [limiter.attempt("a") for _ in range(3)] == [None, None, None]
    assert limiter.attempt("a") == pytest.approx(20.0)
    clock.now += 15
    assert limiter.attempt("a") == pytest.approx(5.0)
    clock.now += 5
    assert limiter.attempt("a") is None
    assert limiter.attempt("a") == pytest.approx(20.0)


def test_refusals_do_not_spend_or_extend_the_wait() -> None:
    clock = Clock()
    limiter = _limiter(clock, capacity=1)
    limiter.attempt("a")
    for _ in range(10):
        assert limiter.attempt("a") == pytest.approx(60.0)
    clock.now += 60
    assert limiter.attempt("a") is None


def test_clients_are_counted_apart() -> None:
    limiter = _limiter(Clock(), capacity=1)
    assert limiter.attempt("a") is None
    assert limiter.attempt("a") is not None
    assert limiter.attempt("b") is None


def test_memory_is_bounded_by_forgetting_the_least_recently_seen() -> None:
    limiter = _limiter(Clock(), capacity=1, max_clients=2)
    limiter.attempt("a")
    limiter.attempt("b")
    assert limiter.attempt("a") is not None  # "a" is now the most recently seen
    limiter.attempt("c")  # forgets "b"
    assert limiter.attempt("a") is not None
    assert limiter.attempt("b") is None


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("testclient", "testclient"),
        (None, UNKNOWN_CLIENT),
        ("", UNKNOWN_CLIENT),
    ],
)
def test_client_keys_group_an_ipv6_subscriber(host: str | None, key: str) -> None:
    assert client_key(host) == key
