"""Sign-in: Argon2id password and TOTP for every role, lockout, CSRF, sessions that refresh
and can be revoked, and tokens every service verifies with the public keys only."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pyotp
import pytest
from alembic import command
from argon2 import PasswordHasher

from deploy.cli import main
from services.casework.bootstrap import SERVICE as SPEC
from services.casework.settings import CaseworkSettings
from services.casework.signin.accounts import MAX_FAILURES
from services.casework.signin.app import create_signin_app
from services.casework.signin.settings import SigninSettings
from shared.auth import TokenVerifier
from shared.db.migrations import alembic_config, upgrade
from shared.errors import InvalidToken
from tests.support.apps import app_client


@pytest.fixture
def signin_settings(
    settings: CaseworkSettings, keyring_path: Path, monkeypatch: pytest.MonkeyPatch
) -> SigninSettings:
    monkeypatch.setenv("SIGNIN_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HEARD_KEYRING", str(keyring_path))
    return SigninSettings()


@pytest.fixture
async def signin(signin_settings: SigninSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_signin_app(signin_settings)) as running:
        yield running


async def heard(*argv: str) -> int:
    """`heard ...` as typed at a shell (its own event loop, so in a thread here)."""
    return await asyncio.to_thread(main, list(argv))


async def add(capsys: pytest.CaptureFixture[str], name: str, *roles: str) -> tuple[str, str]:
    assert await heard("staff", "add", name, *[x for r in roles for x in ("--role", r)]) == 0
    out = capsys.readouterr().out
    password = re.search(r"^password  (\S+)$", out, re.M)
    secret = re.search(r"^totp      (\S+)$", out, re.M)
    assert password is not None
    assert secret is not None
    return password.group(1), secret.group(1)


async def _csrf(client: httpx.AsyncClient) -> str:
    page = await client.get("/signin", params={"next": "http://test:8003/console/"})
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


async def post_signin(
    client: httpx.AsyncClient, name: str, password: str, code: str
) -> httpx.Response:
    form = {"csrf": await _csrf(client), "username": name, "password": password, "code": code}
    return await client.post("/signin", data={**form, "next": "http://test:8003/console/"})


def verifier(keyring_path: Path) -> TokenVerifier:
    return TokenVerifier.from_files(keyring_path.parent)


async def test_password_and_code_sign_in_and_the_token_holds_the_accounts_roles(
    signin: httpx.AsyncClient, capsys: pytest.CaptureFixture[str], keyring_path: Path
) -> None:
    password, secret = await add(capsys, "ana", "caseworker")
    answer = await post_signin(signin, "ana", password, pyotp.TOTP(secret).now())
    assert answer.status_code == 303
    assert answer.headers["location"] == "http://test:8003/console/"
    cookies = answer.headers.get_list("set-cookie")
    staff = next(c for c in cookies if c.startswith("heard_staff="))
    assert "HttpOnly" in staff
    assert "SameSite=strict" in staff
    assert "Path=/" in staff
    principal = verifier(keyring_path).verify(signin.cookies["heard_staff"])
    assert (principal.subject, principal.roles) == ("ana", frozenset({"caseworker"}))
    assert principal.session is not None


@pytest.mark.parametrize("wrong", ["password", "code", "name"])
async def test_a_wrong_password_code_or_name_is_one_plain_refusal(
    signin: httpx.AsyncClient, capsys: pytest.CaptureFixture[str], wrong: str
) -> None:
    password, secret = await add(capsys, "ana", "caseworker")
    code = pyotp.TOTP(secret).now()
    attempt = {"name": "ana", "password": password, "code": code}
    attempt[wrong] = {"password": "guess", "code": "000000", "name": "nobody"}[wrong]
    answer = await post_signin(signin, attempt["name"], attempt["password"], attempt["code"])
    assert answer.status_code == 401
    assert "sign-in refused" in answer.text
    assert "heard_staff" not in signin.cookies


async def test_repeated_failures_lock_the_account_even_for_the_right_password(
    signin: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    password, secret = await add(capsys, "ana", "caseworker")
    for _ in range(MAX_FAILURES):
        assert (await post_signin(signin, "ana", "wrong", "123456")).status_code == 401
    locked = await post_signin(signin, "ana", password, pyotp.TOTP(secret).now())
    assert locked.status_code == 401


async def test_a_code_is_good_once(
    signin: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    password, secret = await add(capsys, "ana", "supervisor")
    code = pyotp.TOTP(secret).now()
    assert (await post_signin(signin, "ana", password, code)).status_code == 303
    signin.cookies.clear()
    assert (await post_signin(signin, "ana", password, code)).status_code == 401


async def test_a_form_without_its_csrf_token_is_refused(
    signin: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    password, secret = await add(capsys, "ana", "caseworker")
    form = {"username": "ana", "password": password, "code": pyotp.TOTP(secret).now()}
    for extra in ({}, {"csrf": "forged"}):
        answer = await signin.post("/signin", data={**form, **extra})
        assert answer.status_code == 403
        assert "csrf" in answer.json()["detail"]


async def test_refresh_renews_the_token_and_sign_out_revokes_it_everywhere(
    signin: httpx.AsyncClient, capsys: pytest.CaptureFixture[str], keyring_path: Path
) -> None:
    password, secret = await add(capsys, "ana", "caseworker")
    await post_signin(signin, "ana", password, pyotp.TOTP(secret).now())
    old = signin.cookies["heard_staff"]
    renewed = await signin.get("/signin/refresh", params={"next": "/signin/done"})
    assert renewed.status_code == 303
    assert signin.cookies["heard_staff"] != old
    out = await signin.post("/signin/signout", data={"csrf": signin.cookies["heard_csrf"]})
    assert out.status_code == 303
    for token in (old, renewed.cookies.get("heard_staff") or old):
        with pytest.raises(InvalidToken, match="revoked"):
            verifier(keyring_path).verify(token)
    again = await signin.get("/signin/refresh", params={"next": "/console/"})
    assert again.headers["location"].startswith("/signin?next=")


async def test_a_session_past_its_working_day_refreshes_no_more(
    signin: httpx.AsyncClient, signin_settings: SigninSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    password, secret = await add(capsys, "ana", "caseworker")
    await post_signin(signin, "ana", password, pyotp.TOTP(secret).now())
    assert (await signin.get("/signin/refresh")).status_code == 303
    assert "heard_staff=" in (await signin.get("/signin/refresh")).headers["set-cookie"]
    with sqlite3.connect(signin_settings.database_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE casework_staff_session SET expires_at = '2020-01-01 00:00:00.000000'")
    ended = await signin.get("/signin/refresh", params={"next": "/console/"})
    assert ended.headers["location"].startswith("/signin?next=")
    assert "heard_staff=" not in ended.headers.get("set-cookie", "")


async def test_disabling_an_account_revokes_its_sessions_and_refuses_sign_in(
    signin: httpx.AsyncClient, capsys: pytest.CaptureFixture[str], keyring_path: Path
) -> None:
    password, secret = await add(capsys, "ana", "caseworker")
    await post_signin(signin, "ana", password, pyotp.TOTP(secret).now())
    token = signin.cookies["heard_staff"]
    assert await heard("staff", "disable", "ana") == 0
    with pytest.raises(InvalidToken, match="revoked"):
        verifier(keyring_path).verify(token)
    signin.cookies.clear()
    later = pyotp.TOTP(secret).at(time.time() + 30)  # a code not used yet
    assert (await post_signin(signin, "ana", password, later)).status_code == 401


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "evil"]
)
async def test_sign_in_never_redirects_off_this_host(
    signin: httpx.AsyncClient, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    password, secret = await add(capsys, "ana", "caseworker")
    form = {
        "csrf": await _csrf(signin),
        "username": "ana",
        "password": password,
        "code": pyotp.TOTP(secret).now(),
        "next": target,
    }
    answer = await signin.post("/signin", data=form)
    assert answer.headers["location"] == "/signin/done"


async def test_the_jwks_publishes_public_keys_only(signin: httpx.AsyncClient) -> None:
    keys = (await signin.get("/.well-known/jwks.json")).json()["keys"]
    assert keys
    assert all("d" not in k for k in keys)


async def test_staff_commands_refuse_unknown_accounts_and_duplicates(
    signin_settings: SigninSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    await add(capsys, "ana", "caseworker")
    assert await heard("staff", "add", "ana", "--role", "caseworker") == 2
    assert await heard("staff", "reset", "nobody") == 2
    assert await heard("staff", "disable", "nobody") == 2


async def test_reset_gives_new_credentials_and_ends_the_old_sessions(
    signin: httpx.AsyncClient, capsys: pytest.CaptureFixture[str], keyring_path: Path
) -> None:
    password, secret = await add(capsys, "ana", "caseworker")
    await post_signin(signin, "ana", password, pyotp.TOTP(secret).now())
    token = signin.cookies["heard_staff"]
    assert await heard("staff", "reset", "ana") == 0
    fresh = re.search(r"^password  (\S+)$", capsys.readouterr().out, re.M)
    assert fresh is not None
    with pytest.raises(InvalidToken, match="revoked"):
        verifier(keyring_path).verify(token)
    signin.cookies.clear()
    assert (await post_signin(signin, "ana", password, "000000")).status_code == 401


def _database_file(url: str) -> bytes:
    return Path(url.removeprefix("sqlite:///")).read_bytes()


async def test_a_totp_secret_cannot_be_read_from_the_database_file(
    signin: httpx.AsyncClient, signin_settings: SigninSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    _, secret = await add(capsys, "ana", "caseworker")
    assert await heard("staff", "reset", "ana") == 0
    out = capsys.readouterr().out
    fresh = re.search(r"^totp      (\S+)$", out, re.M)
    new_password = re.search(r"^password  (\S+)$", out, re.M)
    assert fresh is not None
    assert new_password is not None
    stored = _database_file(signin_settings.database_url)
    assert secret.encode() not in stored
    assert fresh.group(1).encode() not in stored
    code = pyotp.TOTP(fresh.group(1)).now()
    assert (await post_signin(signin, "ana", new_password.group(1), code)).status_code == 303


async def test_a_sealed_secret_moved_to_another_account_does_not_open(
    signin: httpx.AsyncClient, signin_settings: SigninSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    _, ana_secret = await add(capsys, "ana", "caseworker")
    bob_password, _ = await add(capsys, "bob", "supervisor")
    path = signin_settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE casework_staff_account SET totp_sealed ="
            " (SELECT totp_sealed FROM casework_staff_account WHERE username = 'ana')"
            " WHERE username = 'bob'"
        )
    code = pyotp.TOTP(ana_secret).now()
    assert (await post_signin(signin, "bob", bob_password, code)).status_code == 401


async def test_the_migration_seals_secrets_stored_before_it(
    tmp_path: Path, keyring_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'before.db'}"
    command.upgrade(alembic_config(url, SPEC.migrations), "0004")
    secret, password = pyotp.random_base32(), "a-password-of-old"
    with sqlite3.connect(tmp_path / "before.db") as db:
        db.execute(
            "INSERT INTO casework_staff_account"
            " VALUES (?, ?, ?, 'caseworker', NULL, 0, 0, NULL, 0)",
            ("ana", PasswordHasher().hash(password), secret),
        )
    assert secret.encode() in _database_file(url)
    monkeypatch.setenv("HEARD_KEYRING", str(keyring_path))
    upgrade(url, SPEC.migrations)
    assert secret.encode() not in _database_file(url)
    monkeypatch.setenv("SIGNIN_DATABASE_URL", url)
    async with app_client(create_signin_app(SigninSettings())) as client:
        answer = await post_signin(client, "ana", password, pyotp.TOTP(secret).now())
    assert answer.status_code == 303
