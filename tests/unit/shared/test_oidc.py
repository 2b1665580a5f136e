"""Production sign-in: access tokens of an OIDC provider, verified against its JWKS fetched
from its URL. The provider here is local: a key set generated in the test, served over HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from shared.clock import utcnow
from shared.errors import InvalidToken
from shared.oidc import oidc_verifier
from shared.settings import ServiceSettings
from shared.web.app import staff_verifier

ISSUER, AUDIENCE = "https://id.example.org/realms/heard", "heard-staff"


class Provider:
    """A local OIDC provider: signing keys, and the JWKS it publishes."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}
        self.published: list[dict[str, Any]] = []

    def add_rsa(self, kid: str) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.keys[kid] = ("RS256", key)
        jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        self.published.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})

    def add_ec(self, kid: str) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        self.keys[kid] = ("ES256", key)
        jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
        self.published.append({**jwk, "kid": kid, "use": "sig", "alg": "ES256"})

    def token(self, kid: str, roles: list[str], **overrides: Any) -> str:
        alg, key = self.keys[kid]
        now = int(utcnow().timestamp())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "olga",
            "iat": now,
            "exp": now + 300,
            "jti": f"j-{now}",
            "roles": roles,
            **overrides,
        }
        return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


@pytest.fixture
def provider() -> Iterator[tuple[Provider, str]]:
    served = Provider()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"keys": served.published}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served, f"http://127.0.0.1:{server.server_port}/protocol/openid-connect/certs"
    finally:
        server.shutdown()
        server.server_close()


def test_an_rsa_signed_access_token_grants_its_roles(provider: tuple[Provider, str]) -> None:
    served, url = provider
    served.add_rsa("rsa-1")
    verifier = oidc_verifier(url, ISSUER, AUDIENCE)
    principal = verifier.verify(served.token("rsa-1", ["supervisor", "unknown-role"]))
    assert (principal.subject, principal.roles) == ("olga", frozenset({"supervisor"}))


def test_a_key_rotated_in_is_fetched_when_a_token_names_it(provider: tuple[Provider, str]) -> None:
    served, url = provider
    served.add_rsa("rsa-1")
    verifier = oidc_verifier(url, ISSUER, AUDIENCE)
    verifier.verify(served.token("rsa-1", ["caseworker"]))
    served.add_ec("ec-2")
    verifier.keys._fetched = None  # a minute has passed
    assert verifier.verify(served.token("ec-2", ["auditor"])).roles == frozenset({"auditor"})


@pytest.mark.parametrize(
    ("overrides", "match"),
    [({"iss": "https://evil.example.org"}, "Issuer"), ({"aud": "other"}, "Audience")],
)
def test_another_issuer_or_audience_is_refused(
    provider: tuple[Provider, str], overrides: dict[str, str], match: str
) -> None:
    served, url = provider
    served.add_rsa("rsa-1")
    verifier = oidc_verifier(url, ISSUER, AUDIENCE)
    with pytest.raises(InvalidToken, match=match):
        verifier.verify(served.token("rsa-1", ["administrator"], **overrides))


def test_a_token_signed_by_a_key_the_provider_never_published_is_refused(
    provider: tuple[Provider, str],
) -> None:
    served, url = provider
    served.add_rsa("rsa-1")
    forger = Provider()
    forger.add_rsa("rsa-1")  # same key id, another key
    verifier = oidc_verifier(url, ISSUER, AUDIENCE)
    with pytest.raises(InvalidToken, match="signature"):
        verifier.verify(forger.token("rsa-1", ["administrator"]))


def test_an_unreachable_provider_refuses_every_token() -> None:
    other = Provider()
    other.add_rsa("rsa-1")
    verifier = oidc_verifier("http://127.0.0.1:9/certs", ISSUER, AUDIENCE)
    with pytest.raises(InvalidToken, match="key id"):
        verifier.verify(other.token("rsa-1", ["caseworker"]))


def test_services_verify_oidc_tokens_when_an_issuer_is_configured(
    provider: tuple[Provider, str], tmp_path: Any
) -> None:
    served, url = provider
    served.add_rsa("rsa-1")
    configured = ServiceSettings(
        HEARD_OIDC_ISSUER=ISSUER, HEARD_OIDC_JWKS_URL=url, HEARD_KEYRING=tmp_path / "none.json"
    )
    verifier = staff_verifier(configured)
    assert verifier.verify(served.token("rsa-1", ["caseworker"])).subject == "olga"
