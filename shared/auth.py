"""Staff tokens: EdDSA (Ed25519) JWTs signed by an issuer that no service API can sign as.

The issuer (Heard's sign-in service on a single machine, an OIDC provider in production)
holds the private key; every service verifies with the public keys only (a JWKS), and
checks `iss`, `aud`, `exp`, `iat`, `jti` and the key id. Tokens live minutes, not hours;
a revoked session is refused at once through the revocation list the issuer publishes.

Files on a single machine, beside the keyring: `staff-issuer.json` (private JWK, 0600,
read only by the sign-in process and `heard token`), `staff-jwks.json` (public keys),
`staff-revoked.json` (revoked session ids with the time each stops mattering), and
`staff-totp-key.json` (0600, the sign-in process's own key sealing the TOTP secrets it stores).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, get_args

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from shared.clock import utcnow
from shared.crypto.aead import new_data_key
from shared.errors import ConfigurationError, InvalidToken
from shared.ids import new_id

Role = Literal["operator", "caseworker", "supervisor", "auditor", "administrator"]
ROLES: frozenset[str] = frozenset(get_args(Role))
ISSUER = "heard-signin"
AUDIENCE = "heard-staff"
TOKEN_TTL = timedelta(minutes=15)
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti"]
ISSUER_FILE, JWKS_FILE, REVOKED_FILE = "staff-issuer.json", "staff-jwks.json", "staff-revoked.json"
TOTP_KEY_FILE = "staff-totp-key.json"


@dataclass(frozen=True)
class StaffPrincipal:
    """Who is calling, and as what; `session` is the sign-in session the token belongs to."""

    subject: str
    roles: frozenset[str]
    session: str | None = None
    region: str | None = None

    def has_any(self, *roles: str) -> bool:
        """Whether the caller holds at least one of `roles`."""
        return bool(self.roles.intersection(roles))


@dataclass(frozen=True)
class TokenIssuer:
    """Signs staff tokens with the issuer's private key (never held by a service API)."""

    key: Ed25519PrivateKey
    kid: str
    issuer: str = ISSUER
    audience: str = AUDIENCE

    def issue(
        self,
        subject: str,
        roles: Iterable[str],
        *,
        ttl: timedelta = TOKEN_TTL,
        session: str | None = None,
        region: str | None = None,
    ) -> str:
        """A token for `subject` holding exactly `roles` (none unless named), valid for `ttl`."""
        wanted = set(roles)
        unknown = wanted - ROLES
        if unknown:
            raise ValueError(f"unknown roles: {sorted(unknown)}")
        now = utcnow()
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "roles": sorted(wanted),
            "iat": int(now.timestamp()),
            "exp": int((now + ttl).timestamp()),
            "jti": str(new_id()),
        }
        if session is not None:
            claims["sid"] = session
        if region is not None:
            claims["region"] = region
        return jwt.encode(claims, self.key, algorithm="EdDSA", headers={"kid": self.kid})

    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK, with its key id."""
        jwk: dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(self.key.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "EdDSA"}

    def private_jwk(self) -> dict[str, Any]:
        """The private key as a JWK (for the issuer's own 0600 file only)."""
        jwk: dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(self.key))
        return {**jwk, "kid": self.kid}

    @classmethod
    def generate(cls) -> TokenIssuer:
        """A fresh issuer key with a random key id."""
        return cls(Ed25519PrivateKey.generate(), f"staff-{new_id().hex[-12:]}")

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any]) -> TokenIssuer:
        """The issuer whose private JWK is `jwk`."""
        key = OKPAlgorithm.from_jwk(json.dumps(jwk))
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigurationError("the staff issuer key is not an Ed25519 private key")
        return cls(key, str(jwk["kid"]))


def public_keys(jwks: dict[str, Any]) -> dict[str, Any]:
    """The public keys of a JWKS (Ed25519, RSA or EC), by key id; private keys are refused."""
    keys: dict[str, Any] = {}
    for jwk in jwks.get("keys", []):
        if "d" in jwk:
            raise ConfigurationError("a JWKS for verifying must hold public keys only")
        if jwk.get("use", "sig") == "sig" and "kid" in jwk:
            try:
                keys[str(jwk["kid"])] = jwt.PyJWK(jwk).key
            except jwt.PyJWTError:
                continue  # a key type this verifier does not use
    return keys


@dataclass
class RevocationList:
    """Session ids the issuer revoked, re-read from its file whenever the file changes."""

    path: Path | None = None
    _revoked: frozenset[str] = field(default=frozenset())
    _stamp: float | None = None

    def contains(self, session: str | None) -> bool:
        """Whether tokens of `session` must be refused."""
        self._refresh()
        return session is not None and session in self._revoked

    def _refresh(self) -> None:
        if self.path is None:
            return
        try:
            stamp = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            self._revoked, self._stamp = frozenset(), None
            return
        if stamp != self._stamp:
            entries = json.loads(self.path.read_text("utf-8")).get("revoked", {})
            self._revoked, self._stamp = frozenset(entries), stamp


@dataclass
class TokenVerifier:
    """Checks staff tokens with public keys only: signature, key id, iss, aud, exp, iat, jti."""

    keys: Any  # key id -> public key: a dict, or shared.oidc.RemoteKeys
    issuer: str = ISSUER
    audience: str = AUDIENCE
    revoked: RevocationList = field(default_factory=RevocationList)
    leeway: timedelta = timedelta(seconds=30)
    algorithms: tuple[str, ...] = ("EdDSA",)

    def verify(self, token: str, now: datetime | None = None) -> StaffPrincipal:
        """The principal a valid token names; InvalidToken (saying why) otherwise."""
        claims = self._claims(token, now or utcnow())
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise InvalidToken("malformed token claims")
        session = claims.get("sid")
        if self.revoked.contains(session if isinstance(session, str) else None):
            raise InvalidToken("session revoked")
        region = claims.get("region")
        return StaffPrincipal(
            subject=str(claims["sub"]),
            roles=frozenset(roles) & ROLES,
            session=session if isinstance(session, str) else None,
            region=region if isinstance(region, str) else None,
        )

    def _key(self, token: str) -> Any:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("malformed token") from None
        if header.get("alg") not in self.algorithms:
            raise InvalidToken("token algorithm not accepted")
        key = self.keys.get(str(header.get("kid")))
        if key is None:
            raise InvalidToken("token key id unknown")
        return key

    def _claims(self, token: str, now: datetime) -> dict[str, Any]:
        key = self._key(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=list(self.algorithms),
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": REQUIRED_CLAIMS, "verify_exp": False, "verify_iat": False},
            )
        except jwt.InvalidSignatureError:
            raise InvalidToken("bad token signature") from None
        except jwt.PyJWTError as error:
            raise InvalidToken(f"token refused: {type(error).__name__}") from None
        return self._fresh(claims, now)

    def _fresh(self, claims: dict[str, Any], now: datetime) -> dict[str, Any]:
        # exp/iat checked against our clock (`now`), so tests can move time without sleeping.
        stamp, slack = now.timestamp(), self.leeway.total_seconds()
        if int(claims["exp"]) <= stamp - slack:
            raise InvalidToken("token expired")
        if int(claims["iat"]) > stamp + slack:
            raise InvalidToken("token issued in the future")
        return claims

    @classmethod
    def from_files(cls, folder: Path) -> TokenVerifier:
        """The verifier for the issuer whose public files are in `folder`."""
        jwks_path = folder / JWKS_FILE
        if not jwks_path.exists():
            raise ConfigurationError(f"no staff JWKS at {jwks_path}: run `heard keys init`")
        jwks = json.loads(jwks_path.read_text("utf-8"))
        return cls(public_keys(jwks), revoked=RevocationList(folder / REVOKED_FILE))


def _write(path: Path, document: dict[str, Any], mode: int) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(document, out, indent=2)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def ensure_issuer_files(folder: Path) -> None:
    """Create the issuer's key (0600) and its public JWKS, and the sign-in process's TOTP
    sealing key (0600), in `folder` unless they exist."""
    folder.mkdir(parents=True, exist_ok=True)
    ensure_totp_key(folder)
    if (folder / ISSUER_FILE).exists():
        return
    issuer = TokenIssuer.generate()
    _write(folder / ISSUER_FILE, issuer.private_jwk(), 0o600)
    _write(folder / JWKS_FILE, {"keys": [issuer.public_jwk()]}, 0o644)


def ensure_totp_key(folder: Path) -> None:
    """Create the key sealing stored TOTP secrets (0600) in `folder` unless it exists (also
    on a machine set up before it existed: `heard up` and `heard keys init` call this)."""
    path = folder / TOTP_KEY_FILE
    if not path.exists():
        secret = base64.b64encode(new_data_key()).decode("ascii")
        _write(path, {"current": "totp-1", "keys": {"totp-1": secret}}, 0o600)


def load_totp_keys(folder: Path) -> tuple[str, dict[str, bytes]]:
    """The current TOTP sealing key's id and every version (the sign-in process only)."""
    path = _private_file(folder / TOTP_KEY_FILE)
    document = json.loads(path.read_text("utf-8"))
    keys = {key_id: base64.b64decode(v) for key_id, v in document["keys"].items()}
    return document["current"], keys


def _private_file(path: Path) -> Path:
    if not path.exists():
        raise ConfigurationError(f"no staff key at {path}: run `heard keys init`")
    if path.stat().st_mode & 0o077:
        raise ConfigurationError(f"{path} must not be readable by others (chmod 600)")
    return path


def load_issuer(folder: Path) -> TokenIssuer:
    """The issuer key in `folder` (the sign-in process and `heard token` only)."""
    path = _private_file(folder / ISSUER_FILE)
    return TokenIssuer.from_jwk(json.loads(path.read_text("utf-8")))


def revoke_sessions(folder: Path, sessions: dict[str, datetime]) -> None:
    """Add `sessions` (id -> when its last token expires) to the revocation list; drop the
    entries whose tokens have all expired, so the list stays short."""
    path = folder / REVOKED_FILE
    current: dict[str, str] = {}
    if path.exists():
        current = json.loads(path.read_text("utf-8")).get("revoked", {})
    now = utcnow()
    kept = {s: t for s, t in current.items() if datetime.fromisoformat(t) > now}
    kept.update({s: t.isoformat() for s, t in sessions.items()})
    _write(path, {"revoked": kept}, 0o644)
