"""Staff bearer tokens: HMAC-SHA256 signed claims with an expiry.

A stand-in for OIDC on a single machine; the claims (`sub`, `roles`, `exp`) are the ones
an OIDC access token would carry, so the routes do not change when sign-in does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from shared.clock import utcnow
from shared.errors import InvalidToken

Role = Literal["operator", "caseworker", "supervisor", "auditor", "administrator"]
ROLES: frozenset[str] = frozenset(get_args(Role))
_PREFIX = "heard1"


@dataclass(frozen=True)
class StaffPrincipal:
    """Who is calling, and as what."""

    subject: str
    roles: frozenset[str]

    def has_any(self, *roles: str) -> bool:
        """Whether the caller holds at least one of `roles`."""
        return bool(self.roles.intersection(roles))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, f"{_PREFIX}.{payload}".encode(), hashlib.sha256).digest())


def issue_token(
    key: bytes, subject: str, roles: set[str], ttl: timedelta = timedelta(hours=8)
) -> str:
    """A signed token for `subject` holding `roles`, valid for `ttl`."""
    unknown = roles - ROLES
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    claims = {"sub": subject, "roles": sorted(roles), "exp": int((utcnow() + ttl).timestamp())}
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{_PREFIX}.{payload}.{_mac(key, payload)}"


def verify_token(key: bytes, token: str, now: datetime | None = None) -> StaffPrincipal:
    """The principal a valid token names; InvalidToken otherwise."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _PREFIX:
        raise InvalidToken("malformed token")
    payload, mac = parts[1], parts[2]
    if not hmac.compare_digest(mac, _mac(key, payload)):
        raise InvalidToken("bad token signature")
    try:
        claims = json.loads(_unb64(payload))
        expires, subject, roles = int(claims["exp"]), str(claims["sub"]), set(claims["roles"])
    except (ValueError, KeyError, TypeError):
        raise InvalidToken("malformed token claims") from None
    if expires <= (now or utcnow()).timestamp():
        raise InvalidToken("token expired")
    return StaffPrincipal(subject=subject, roles=frozenset(roles & ROLES))
