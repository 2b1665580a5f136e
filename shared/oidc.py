"""Production sign-in: an OIDC provider's access tokens, verified against its JWKS.

The provider's keys are fetched from its JWKS URL and fetched again when a token names a key
id not seen yet (the provider rotated its keys), at most once a minute. Roles come from the
token's `roles` claim, exactly as from Heard's own issuer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from shared.auth import TokenVerifier, public_keys
from shared.clock import utcnow

# OIDC providers sign with RSA or EC keys; Heard's own issuer with Ed25519.
OIDC_ALGORITHMS = ("RS256", "ES256", "EdDSA")


class RemoteKeys:
    """An OIDC issuer's JWKS fetched from its URL, fetched again when a token names a key id
    not seen yet (the issuer rotated its keys), at most once a minute."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self._url, self._timeout = url, timeout
        self._keys: dict[str, Any] = {}
        self._fetched: datetime | None = None

    def get(self, kid: str, default: Any = None) -> Any:
        """The key `kid`, fetching the JWKS again if it is new."""
        if kid not in self._keys and self._may_fetch():
            self._fetch()
        return self._keys.get(kid, default)

    def _may_fetch(self) -> bool:
        return self._fetched is None or utcnow() - self._fetched > timedelta(minutes=1)

    def _fetch(self) -> None:
        self._fetched = utcnow()
        try:
            answer = httpx.get(self._url, timeout=self._timeout)
            answer.raise_for_status()
            self._keys = public_keys(answer.json())
        except (httpx.HTTPError, ValueError):
            return  # keep the keys we had; the token is refused if its key is not among them


def oidc_verifier(jwks_url: str, issuer: str, audience: str) -> TokenVerifier:
    """A verifier of an OIDC provider's access tokens (production sign-in)."""
    return TokenVerifier(RemoteKeys(jwks_url), issuer, audience, algorithms=OIDC_ALGORITHMS)
