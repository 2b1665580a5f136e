"""Authenticating the SMS provider's webhook: HMAC-SHA256 over timestamp and body.

The provider sends `X-Heard-Timestamp` (Unix seconds) and `X-Heard-Signature`, the hex
HMAC-SHA256 of `<timestamp>.<raw body>` under the shared secret (setting
`INTAKE_SMS_WEBHOOK_SECRET`). Unsigned, mis-signed or stale requests are refused, and so is
a request seen before (its signature is remembered for the freshness window, in memory:
each API process keeps its own, which bounds a replay to the window).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import OrderedDict
from collections.abc import Callable

from services.intake.errors import IntakeError

TIMESTAMP_HEADER = "x-heard-timestamp"
SIGNATURE_HEADER = "x-heard-signature"


class WebhookRefused(IntakeError):
    """The webhook request is not the provider's, or not fresh."""

    status_code = 401
    public_detail = "webhook request refused: unsigned, mis-signed, stale or replayed"


class WebhookNotConfigured(IntakeError):
    """No webhook secret is set: the gateway is off."""

    status_code = 503
    public_detail = "the SMS gateway is not configured"


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature a provider puts on `body` sent at `timestamp`."""
    return hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


class WebhookVerifier:
    """Checks signature and freshness, and refuses a request seen before."""

    def __init__(self, secret: bytes, max_age: int, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._max_age = max_age
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def verify(self, timestamp: str | None, signature: str | None, body: bytes) -> None:
        """Return if the request is authentic and new; WebhookRefused otherwise."""
        if not timestamp or not signature or not timestamp.isdigit() or len(timestamp) > 12:
            raise WebhookRefused("unsigned")
        now = self._clock()
        if abs(now - int(timestamp)) > self._max_age:
            raise WebhookRefused("stale")
        if not hmac.compare_digest(sign(self._secret, timestamp, body), signature.lower()):
            raise WebhookRefused("mis-signed")
        self._forget_older_than(now - self._max_age)
        if signature.lower() in self._seen:
            raise WebhookRefused("replayed")
        self._seen[signature.lower()] = now

    def _forget_older_than(self, horizon: float) -> None:
        while self._seen and next(iter(self._seen.values())) < horizon:
            self._seen.popitem(last=False)
