"""Every public page weighs under 60 KB transferred: its HTML plus every stylesheet and
script it loads (measured uncompressed, so the bound holds for any link or proxy)."""

from __future__ import annotations

import re

import httpx
import pytest

from services.intake.i18n import LANGUAGES
from tests.unit.intake.portal_client import Visitor, receipt_code

LIMIT = 60 * 1024
PATHS = [
    "/",
    "/{lang}/",
    "/{lang}/tell/young",
    "/{lang}/tell/teen",
    "/{lang}/tell/adult",
    "/{lang}/follow-up",
]
ASSETS = re.compile(r'(?:href|src)="(/static/[^"]+)"')


async def _weight(client: httpx.AsyncClient, response: httpx.Response) -> int:
    total = len(response.content)
    for asset in set(ASSETS.findall(response.text)):
        total += len((await client.get(asset)).content)
    return total


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", PATHS)
async def test_each_page_weighs_under_60_kb(
    client: httpx.AsyncClient, lang: str, path: str
) -> None:
    response = await client.get(path.format(lang=lang))
    assert await _weight(client, response) < LIMIT


async def test_the_receipt_and_case_pages_weigh_under_60_kb(client: httpx.AsyncClient) -> None:
    visitor = Visitor(client)
    receipt = await visitor.submit("zh", narrative="界" * 1000)
    assert await _weight(client, receipt) < LIMIT
    case = await visitor.follow_up(receipt_code(receipt.text), "zh")
    assert await _weight(client, case) < LIMIT
