"""Administrators put a new rule set in force: validated, measured on the corpus, refused when
P1 recall would drop (the old rule set stays in force), in force at once without a restart,
and announced by a `rule set activated` event."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from services.triage.app import create_app
from services.triage.settings import TriageSettings
from shared.auth import TokenIssuer
from shared.bus.outbox import OutboxMessage
from shared.events.contracts import RuleSetActivated
from shared.runtime import Runtime
from tests.support.apps import app_client
from tests.unit.triage.conftest import RULE_FILE
from tests.unit.triage.test_api import DRY_RUN, staff_headers

UPLOAD = "/api/v1/triage/rule-set"
SHIPPED = RULE_FILE.read_text("utf-8")
# A stricter rule set: a new version that also treats "scared" as danger now.
STRICTER = SHIPPED.replace('version: "2026.11-1"', 'version: "2026.11-2"').replace(
    "      en: [right now, rite now,", "      en: [scared, right now, rite now,"
)
# A rule set that no longer knows the words of suicide in English.
_EN_SUICIDE = STRICTER[STRICTER.index("      en: [suicid*") : STRICTER.index("      fr: [suicid*")]
BLIND = STRICTER.replace('version: "2026.11-2"', 'version: "2026.11-3"').replace(_EN_SUICIDE, "")
NO_CATEGORY = SHIPPED.replace("categories: [violence.neglect]", "categories: [nope]")
NOPE_LINE = NO_CATEGORY.splitlines().index("    categories: [nope]") + 1


async def _upload(
    client: httpx.AsyncClient, issuer: TokenIssuer, body: str | bytes
) -> httpx.Response:
    headers = {**staff_headers(issuer, "administrator"), "Content-Type": "application/yaml"}
    return await client.put(UPLOAD, headers=headers, content=body)


async def _in_force(client: httpx.AsyncClient, issuer: TokenIssuer) -> str:
    answer = await client.get("/api/v1/rules", headers=staff_headers(issuer, "supervisor"))
    return str(answer.json()["version"])


async def _activations(runtime: Runtime) -> list[RuleSetActivated]:
    async with runtime.sessions() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    events = [runtime.codec.decode(r.topic, r.key, r.to_record().headers, r.value) for r in rows]
    return [e.data for e in events if isinstance(e.data, RuleSetActivated)]


async def test_an_accepted_rule_set_is_in_force_at_once_and_announced(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, settings: TriageSettings
) -> None:
    answer = await _upload(client, issuer, STRICTER)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["version"], body["p1_recall"], body["changed"]) == ("2026.11-2", 1.0, True)
    assert await _in_force(client, issuer) == "2026.11-2"
    scared = await client.post(
        DRY_RUN,
        headers=staff_headers(issuer, "caseworker"),
        json={"narrative": "i am scared, my dad hits me", "language": "en"},
    )
    assert scared.json()["urgency"] == "P1"
    assert scared.json()["rule_set"] == "2026.11-2"
    (event,) = await _activations(runtime)
    assert (event.version, event.content_hash, event.activated_by) == (
        "2026.11-2",
        body["content_hash"],
        "ana",
    )
    # Another process (a second app on the same database) applies it too, without a restart.
    async with app_client(create_app(settings)) as other:
        assert await _in_force(other, issuer) == "2026.11-2"
    again = await _upload(client, issuer, STRICTER)
    assert again.json()["changed"] is False
    assert len(await _activations(runtime)) == 1


async def test_a_rule_set_that_would_miss_p1_complaints_is_refused_and_the_old_stays(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer
) -> None:
    answer = await _upload(client, issuer, BLIND)
    assert answer.status_code == 409
    assert answer.json()["detail"].startswith("refused: P1 recall on the corpus would be 0.9")
    assert await _in_force(client, issuer) == "2026.11-1"
    assert await _activations(runtime) == []


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("", "uploaded rule set, line 1: the body is empty"),
        ("version: [", "uploaded rule set, line 2: not valid YAML"),
        (b"\xff\xfe", "uploaded rule set, line 1: not UTF-8 text"),
        (
            NO_CATEGORY,
            f"uploaded rule set, line {NOPE_LINE}: rule violence.neglect: unknown category nope",
        ),
        (SHIPPED.replace("gap_words: 4", "gap_words: 99"), "uploaded rule set, line 17: gap_words"),
    ],
)
async def test_an_invalid_rule_file_is_a_422_naming_the_line_and_the_old_stays(
    client: httpx.AsyncClient,
    runtime: Runtime,
    issuer: TokenIssuer,
    body: str | bytes,
    detail: str,
) -> None:
    answer = await _upload(client, issuer, body)
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith(detail)
    assert await _in_force(client, issuer) == "2026.11-1"
    assert await _activations(runtime) == []


async def test_only_administrators_may_put_rules_in_force(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    for role in ("caseworker", "supervisor", "auditor", "operator"):
        answer = await client.put(UPLOAD, headers=staff_headers(issuer, role), content=STRICTER)
        assert answer.status_code == 403
    assert (await client.put(UPLOAD, content=STRICTER)).status_code == 401
    too_big = await _upload(client, issuer, b"#" * 1_200_000)
    assert too_big.status_code == 413
