"""The portal through the real app: every page in every language with the safety headers,
one complaint per form however often it is sent, and hostile input answered with a clear
page in the visitor's language, always escaped, nothing stored."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from services.intake.app import create_app
from services.intake.db import Complaint
from services.intake.i18n import LANGUAGES
from services.intake.settings import IntakeSettings
from shared.bus.outbox import OutboxMessage
from shared.crypto.keyring import FileKeyring
from shared.db.uow import UnitOfWork
from shared.runtime import Runtime
from tests.support.apps import app_client
from tests.support.events import MARKER
from tests.unit.intake.portal_client import Visitor, hidden, receipt_code
from tests.unit.intake.support import outbox_events, rows

PAGES = [
    "/{lang}/",
    "/{lang}/tell/young",
    "/{lang}/tell/teen",
    "/{lang}/tell/adult",
    "/{lang}/follow-up",
]
HOSTILE = f'<script>alert("{MARKER}")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def visitor(client: httpx.AsyncClient) -> Visitor:
    return Visitor(client)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
async def test_every_page_is_safe_to_show_in_every_language(
    client: httpx.AsyncClient, lang: str, page: str
) -> None:
    response = await client.get(page.format(lang=lang))
    assert response.status_code == 200
    headers = response.headers
    assert headers["cache-control"] == "no-store"
    assert headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    html = response.text
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html
    assert "data-exit" in html  # the quick exit, on every page
    assert "112" in html
    assert "116 111" in html
    assert "http://" not in html
    assert "<style" not in html
    assert "<script>" not in html


async def test_the_chooser_offers_every_language_and_guesses_none(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/", headers={"accept-language": "ar"})).text
    for lang in LANGUAGES:
        assert f'href="/{lang}/"' in page
    assert "Choisir cette langue" in page
    assert "اختر هذه اللغة" in page


@pytest.mark.parametrize("path", ["/de/", "/xx/tell/teen", "/../etc/passwd", "/en/tell/grownup"])
async def test_unknown_languages_and_pages_get_a_clear_404(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert "<html" in response.text


async def test_a_complaint_from_the_form_is_stored_sealed_and_emitted(
    visitor: Visitor, runtime: Runtime, keyring: FileKeyring
) -> None:
    answer = await visitor.submit(
        narrative=f"he hits me {MARKER}",
        in_danger="yes",
        about="other",
        relationship="my friend",
        consent="no",
        reason_without_consent="she is afraid",
        age_band="8_11",
        gender="girl",
        contact="yes",
        phone="+1 555 0100",
        best_time="after school",
        platform="a game",
    )
    assert answer.status_code == 200
    receipt_code(answer.text)
    (event,) = await outbox_events(runtime, keyring)
    assert (event.narrative, event.in_danger_now, event.submitted_by) == (
        f"he hits me {MARKER}",
        True,
        "on_behalf",
    )
    assert event.on_behalf is not None
    assert event.on_behalf.child_consents is False
    assert event.contact is not None
    assert event.contact.best_time == "after school"
    assert (event.platform, event.language, event.channel) == ("a game", "en", "web")


async def test_a_double_click_makes_one_complaint_with_one_code(
    visitor: Visitor, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    fields = {**(await visitor.form()), "narrative": "twice"}
    first = await client.post("/en/tell/teen", data=fields)
    second = await client.post("/en/tell/teen", data=fields)
    assert receipt_code(first.text) == receipt_code(second.text)
    assert len(await rows(runtime, Complaint)) == 1
    assert len(await rows(runtime, OutboxMessage)) == 1


async def test_the_api_idempotency_key_returns_the_first_receipt(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    body = {"channel": "web", "language": "en", "narrative": "x", "submitted_by": "child"}
    key = {"Idempotency-Key": "retry-0123456789"}
    first = (await client.post("/api/v1/complaints", json=body, headers=key)).json()
    again = (await client.post("/api/v1/complaints", json=body, headers=key)).json()
    other = (
        await client.post(
            "/api/v1/complaints", json=body, headers={"Idempotency-Key": "another-key-1"}
        )
    ).json()
    assert again == first
    assert other["complaint_id"] != first["complaint_id"]
    assert len(await rows(runtime, Complaint)) == 2


async def test_hostile_text_is_escaped_everywhere_it_is_shown(
    visitor: Visitor, client: httpx.AsyncClient
) -> None:
    refused = await visitor.submit(narrative="", region=HOSTILE, name=HOSTILE)
    assert refused.status_code == 400
    assert "<script>alert" not in refused.text
    assert "&lt;script&gt;" in refused.text
    code = receipt_code((await visitor.submit(narrative=HOSTILE)).text)
    assert (await visitor.follow_up(code, action="reply", text=HOSTILE)).status_code == 200
    page = (await visitor.follow_up(code)).text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


BAD_FORMS = [
    ("empty narrative", {"narrative": "  "}, "narrative", "Réponds à cette question"),
    ("narrative too long", {"narrative": "a" * 20_001}, "narrative", "trop longue"),
    ("control character", {"narrative": "hi\x1b[31m"}, "narrative", "caractères cachés"),
    ("region too long", {"narrative": "x", "region": "r" * 101}, "region", "trop longue"),
    (
        "no reason without consent",
        {"narrative": "x", "about": "other", "relationship": "ami", "consent": "no"},
        "reason_without_consent",
        "Réponds à cette question",
    ),
    ("unknown age band", {"narrative": "x", "age_band": MARKER}, "age_band", "Vérifie"),
    ("NUL in a name", {"narrative": "x", "contact": "yes", "name": "a\x00b"}, "name", "cachés"),
]


@pytest.mark.parametrize(
    ("answers", "field", "words"),
    [(a, f, w) for _, a, f, w in BAD_FORMS],
    ids=[n for n, *_ in BAD_FORMS],
)
async def test_a_wrong_answer_comes_back_in_french_with_everything_typed(
    visitor: Visitor, runtime: Runtime, answers: dict[str, str], field: str, words: str
) -> None:
    response = await visitor.submit("fr", platform=f"app {MARKER}", **answers)
    assert response.status_code == 400
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', response.text)
    assert error is not None
    assert words in error.group(1)
    assert f'aria-describedby="{field}-error"' in response.text or field in {"age_band"}
    assert f"app {MARKER}" in response.text  # nothing typed is lost
    assert await rows(runtime, Complaint) == []


async def test_a_form_without_its_csrf_token_is_refused_in_the_visitors_language(
    visitor: Visitor, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    fields = await visitor.form("ar")
    response = await client.post(
        "/ar/tell/teen", data={"form_token": fields["form_token"], "narrative": "x"}
    )
    assert response.status_code == 403
    assert 'lang="ar"' in response.text
    assert "لم نتمكن من قراءة النموذج" in response.text
    forged = await client.post("/ar/tell/teen", data={**fields, "csrf": "forged", "narrative": "x"})
    assert forged.status_code == 403
    assert await rows(runtime, Complaint) == []


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"narrative=%FF%FE&csrf=x", "application/x-www-form-urlencoded"),
        (b"narrative=\xff", "application/x-www-form-urlencoded"),
        (b'{"narrative": "x"}', "application/json"),
        (b"--b\r\n", "multipart/form-data; boundary=b"),
        (b"&".join(b"f%d=1" % i for i in range(100)), "application/x-www-form-urlencoded"),
    ],
    ids=[
        "invalid UTF-8 escaped",
        "raw invalid byte",
        "JSON",
        "multipart upload",
        "too many fields",
    ],
)
async def test_an_unreadable_body_gets_a_clear_400_page(
    client: httpx.AsyncClient, runtime: Runtime, content: bytes, content_type: str
) -> None:
    await client.get("/es/")
    response = await client.post(
        "/es/tell/teen", content=content, headers={"content-type": content_type}
    )
    assert response.status_code == 400
    assert 'lang="es"' in response.text
    assert "No pudimos leer el formulario" in response.text
    assert await rows(runtime, Complaint) == []


async def test_too_many_submissions_from_one_client_are_refused(
    settings: IntakeSettings,
) -> None:
    async with app_client(
        create_app(settings.model_copy(update={"submission_limit": 2}))
    ) as client:
        visitor = Visitor(client)
        statuses = [(await visitor.submit(narrative=f"n{i}")).status_code for i in range(3)]
    assert statuses == [200, 200, 429]


async def test_the_api_has_its_own_larger_submission_limit(settings: IntakeSettings) -> None:
    limited = settings.model_copy(update={"api_submission_limit": 2, "submission_limit": 100})
    body = {"channel": "web", "language": "en", "narrative": "x", "submitted_by": "child"}
    async with app_client(create_app(limited)) as client:
        statuses = [
            (await client.post("/api/v1/complaints", json=body)).status_code for _ in range(3)
        ]
        page = await Visitor(client).submit(narrative="the form is counted apart")
    assert statuses == [201, 201, 429]
    assert page.status_code == 200


async def test_an_oversized_form_gets_a_413_page_in_the_visitors_language(
    visitor: Visitor, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    fields = await visitor.form("zh")
    response = await client.post("/zh/tell/teen", data={**fields, "narrative": "界" * 100_000})
    assert response.status_code == 413
    assert 'lang="zh"' in response.text
    assert "这个回答太长了" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert await rows(runtime, Complaint) == []


def _commit_then_lose_the_answer(real: Any) -> Any:
    async def commit(self: UnitOfWork) -> None:
        await real(self)
        raise OperationalError("COMMIT", {}, Exception("connection lost after commit"))

    return commit


async def _fail_before_commit(self: UnitOfWork) -> None:
    raise OperationalError("COMMIT", {}, Exception("connection refused"))


@pytest.mark.parametrize("saved", [False, True], ids=["lost before commit", "lost after commit"])
async def test_an_unknown_outcome_asks_to_send_again_which_is_safe(
    visitor: Visitor,
    client: httpx.AsyncClient,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    saved: bool,
) -> None:
    fields = {**(await visitor.form("fr")), "narrative": f"perdu {MARKER}"}
    failing = _commit_then_lose_the_answer(UnitOfWork.commit) if saved else _fail_before_commit
    with monkeypatch.context() as patched:
        patched.setattr(UnitOfWork, "commit", failing)
        unsure = await client.post("/fr/tell/teen", data=fields)
    assert unsure.status_code == 503
    assert "Nous ne sommes pas sûrs que ton message a été enregistré" in unsure.text
    assert f"perdu {MARKER}" in unsure.text  # nothing typed is lost
    assert hidden(unsure.text, "form_token") == fields["form_token"]
    again = await client.post("/fr/tell/teen", data=fields)
    assert again.status_code == 200
    receipt_code(again.text)
    assert len(await rows(runtime, Complaint)) == 1
