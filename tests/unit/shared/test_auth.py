"""Staff tokens: EdDSA JWTs that name the caller when valid, and are refused (saying why) when
forged, expired, for another audience or issuer, signed by an unknown key, or revoked."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.auth import (
    ISSUER_FILE,
    JWKS_FILE,
    TokenIssuer,
    TokenVerifier,
    ensure_issuer_files,
    load_issuer,
    public_keys,
    revoke_sessions,
)
from shared.clock import utcnow
from shared.errors import ConfigurationError, InvalidToken

ISSUER = TokenIssuer.generate()


def verifier(signer: TokenIssuer = ISSUER, **kwargs: Any) -> TokenVerifier:
    return TokenVerifier(public_keys({"keys": [signer.public_jwk()]}), **kwargs)


def test_valid_token_names_subject_roles_and_session() -> None:
    token = ISSUER.issue("alice", {"caseworker"}, session="s1", region="north")
    principal = verifier().verify(token)
    assert (principal.subject, principal.session, principal.region) == ("alice", "s1", "north")
    assert principal.has_any("caseworker", "supervisor")
    assert not principal.has_any("auditor")


def test_a_token_is_an_eddsa_jwt_with_every_required_claim() -> None:
    token = ISSUER.issue("alice", {"auditor"})
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header == {"alg": "EdDSA", "kid": ISSUER.kid, "typ": "JWT"}
    assert {"iss", "aud", "sub", "exp", "iat", "jti", "roles"} <= set(claims)


def test_no_role_unless_one_is_named() -> None:
    assert verifier().verify(ISSUER.issue("alice", set())).roles == frozenset()


def test_token_signed_by_another_key_with_the_same_key_id_is_refused() -> None:
    forger = TokenIssuer(Ed25519PrivateKey.generate(), ISSUER.kid)
    with pytest.raises(InvalidToken, match="signature"):
        verifier().verify(forger.issue("alice", {"administrator"}))


def test_unknown_key_id_is_refused() -> None:
    with pytest.raises(InvalidToken, match="key id"):
        verifier().verify(TokenIssuer.generate().issue("alice", {"caseworker"}))


def test_expired_token_is_refused() -> None:
    token = ISSUER.issue("alice", {"caseworker"}, ttl=timedelta(seconds=1))
    with pytest.raises(InvalidToken, match="expired"):
        verifier().verify(token, now=utcnow() + timedelta(minutes=5))


def test_token_from_the_future_is_refused() -> None:
    token = ISSUER.issue("alice", {"caseworker"})
    with pytest.raises(InvalidToken, match="future"):
        verifier().verify(token, now=utcnow() - timedelta(minutes=5))


@pytest.mark.parametrize(
    ("option", "match"), [({"audience": "other"}, "Audience"), ({"issuer": "other"}, "Issuer")]
)
def test_another_audience_or_issuer_is_refused(option: dict[str, str], match: str) -> None:
    with pytest.raises(InvalidToken, match=match):
        verifier(ISSUER, **option).verify(ISSUER.issue("alice", {"caseworker"}))


def test_a_token_without_jti_is_refused() -> None:
    now = int(utcnow().timestamp())
    claims = {"iss": "heard-signin", "aud": "heard-staff", "sub": "a", "iat": now, "exp": now + 60}
    token = jwt.encode(claims, ISSUER.key, algorithm="EdDSA", headers={"kid": ISSUER.kid})
    with pytest.raises(InvalidToken, match="MissingRequiredClaim"):
        verifier().verify(token)


def test_hmac_and_none_algorithms_are_refused() -> None:
    claims = {"sub": "a", "roles": ["administrator"]}
    for token in (
        jwt.encode(claims, "secret-secret-secret-secret-long", algorithm="HS256"),
        jwt.encode(claims, "", algorithm="none"),
    ):
        with pytest.raises(InvalidToken, match="algorithm"):
            verifier().verify(token)


@pytest.mark.parametrize("token", ["", "abc", "heard1.x", "a.b.c", "e30.e30.", "..."])
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        verifier().verify(token)


def test_role_tampering_breaks_the_signature() -> None:
    header, payload, signature = ISSUER.issue("alice", {"auditor"}).split(".")
    with pytest.raises(InvalidToken):
        verifier().verify(f"{header}.{payload}A.{signature}")


def test_unknown_roles_cannot_be_issued() -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        ISSUER.issue("alice", {"god"})


def test_issuer_files_hold_the_private_key_0600_and_the_jwks_public_keys_only(
    tmp_path: Path,
) -> None:
    ensure_issuer_files(tmp_path)
    assert (tmp_path / ISSUER_FILE).stat().st_mode & 0o777 == 0o600
    jwks = json.loads((tmp_path / JWKS_FILE).read_text())
    assert all("d" not in key for key in jwks["keys"])
    token = load_issuer(tmp_path).issue("ana", {"caseworker"})
    assert TokenVerifier.from_files(tmp_path).verify(token).subject == "ana"


def test_a_jwks_holding_a_private_key_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="public keys only"):
        public_keys({"keys": [ISSUER.private_jwk()]})


def test_a_revoked_session_is_refused_at_once(tmp_path: Path) -> None:
    ensure_issuer_files(tmp_path)
    issuer, checker = load_issuer(tmp_path), TokenVerifier.from_files(tmp_path)
    token = issuer.issue("ana", {"caseworker"}, session="s-1")
    assert checker.verify(token).session == "s-1"
    revoke_sessions(tmp_path, {"s-1": utcnow() + timedelta(minutes=15)})
    with pytest.raises(InvalidToken, match="revoked"):
        checker.verify(token)
    assert checker.verify(issuer.issue("ana", {"caseworker"}, session="s-2")).session == "s-2"
