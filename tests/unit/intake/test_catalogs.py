"""Every string of every page is translated in all six languages: no untranslated, fuzzy
or stale entry in a shipped catalog, and placeholders kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from services.intake.i18n import LANGUAGES, catalog_path, translations

SOURCE = Path(__file__).resolve().parents[3] / "services" / "intake"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


def _source_messages() -> set[str]:
    found = extract_from_dir(
        str(SOURCE),
        method_map=[("templates/**.html", "jinja2"), ("*.py", "python")],
        keywords={"_": None, "N_": None, "gettext": None},
        comment_tags=(),
    )
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalog_translates_every_string_of_the_portal(lang: str) -> None:
    with catalog_path(lang).open("rb") as source:
        catalog = read_po(source, locale=lang)
    entries = {m.id: m for m in catalog if m.id}
    assert set(entries) == _source_messages()
    for message in entries.values():
        assert message.string, f"{lang}: untranslated {message.id!r}"
        assert not message.fuzzy, f"{lang}: fuzzy {message.id!r}"
        assert isinstance(message.string, str)
        assert isinstance(message.id, str)
        assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(message.id))
    assert not catalog.fuzzy


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_no_english_is_left_in_a_translation(lang: str) -> None:
    gettext = translations(lang).gettext
    english_left = [m for m in _source_messages() if gettext(m) == m and len(m) > 12]
    assert english_left == []
