"""The exception tree of Heard's shared plumbing.

HeardError
 +-- ConfigurationError        settings or keyring unusable (fails start-up, never a request)
 +-- KeyringError              a key is missing from the keyring
 +-- EventRejected             an inbound event must go to the dead-letter topic
 |    +-- MalformedEnvelope      required CloudEvents headers missing or unparsable
 |    +-- UnknownEventType       the type is in no contract
 |    +-- ProducerNotAllowed     the trust policy forbids this source for this type
 |    +-- SignatureInvalid       the Ed25519 signature does not verify
 |    +-- DecryptionFailed       the AES-GCM tag or the key id does not fit
 |    +-- InvalidEventData       the decrypted payload fails its contract model
 |    +-- HandlerFailed          a handler kept failing on a valid event
 +-- KeyNotYetKnown            an event sealed under a key id not distributed here yet (transient)
 +-- InvalidToken              a staff token is malformed, forged or expired

Every EventRejected carries a short machine-readable `reason` that becomes the
`dlq_reason` header; messages never contain a child's data.

A domain error that an API may answer with says so itself (starlette's pattern): its class
sets `status_code` and a `public_detail` that is safe to show (never the input), so one
handler in `shared.web.errors` serves every app.
"""

from __future__ import annotations


class HeardError(Exception):
    """Root of every error raised by Heard's own code.

    `status_code` is the HTTP status an API answers with (None: not a client's fault, a 500);
    `public_detail` what the client is told; `headers` any extra response headers.
    """

    status_code: int | None = None
    public_detail: str = "the request could not be completed"

    @property
    def headers(self) -> dict[str, str]:
        """Extra response headers (e.g. Retry-After)."""
        return {}


class ConfigurationError(HeardError):
    """Settings or key material that a process cannot start with."""


class KeyringError(HeardError):
    """A requested key is not in the keyring."""


class KeyNotYetKnown(HeardError):
    """An event is sealed under a key id this process does not hold even after reloading its
    keys: rotation is under way. Transient: the consumer waits and tries again."""


class InvalidToken(HeardError):
    """A staff bearer token that is malformed, forged or expired."""


class EventRejected(HeardError):
    """An inbound event that cannot be applied and belongs in the dead-letter topic."""

    reason = "rejected"

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{self.reason}: {detail}" if detail else self.reason)
        self.detail = detail


class MalformedEnvelope(EventRejected):
    """Required CloudEvents attributes are missing or unparsable."""

    reason = "malformed-envelope"


class UnknownEventType(EventRejected):
    """The event type is in no contract this process knows."""

    reason = "unknown-type"


class ProducerNotAllowed(EventRejected):
    """The trust policy does not allow this source to emit this type."""

    reason = "producer-not-allowed"


class SignatureInvalid(EventRejected):
    """The producer's signature is missing or does not verify."""

    reason = "bad-signature"


class DecryptionFailed(EventRejected):
    """The ciphertext cannot be opened: unknown key id or damaged data."""

    reason = "undecryptable"


class InvalidEventData(EventRejected):
    """The decrypted payload does not satisfy its contract model."""

    reason = "invalid-data"


class HandlerFailed(EventRejected):
    """A handler failed repeatedly on an otherwise valid event."""

    reason = "handler-failed"
