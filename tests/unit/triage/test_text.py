# ruff: noqa: RUF001, RUF003 - letters that look Latin in other scripts are what is tested.
"""Folding children's writing so rules and narratives compare: Unicode, scripts, stems."""

from __future__ import annotations

import pytest

from services.triage.text import normalise, tokenise, words


@pytest.mark.parametrize(
    ("raw", "language", "folded"),
    [
        ("ＨＥＬＰ", "en", "help"),  # full-width forms (NFKC)
        ("Don't", "en", "dont"),  # English drops the apostrophe
        ("j’ai peur", "fr", "j ai peur"),  # others split on it, typographic apostrophe too
        ("élève très énervé", "fr", "eleve tres enerve"),  # accents folded
        ("ёлка", "ru", "елка"),  # Cyrillic ё/е
        ("أَبِي يَضْرِبُنِي", "ar", "ابي يضربني"),  # Arabic diacritics and hamza forms
        ("مدرسة", "ar", "مدرسه"),  # taa marbuta
        ("pleeeease heeelp", "en", "please help"),  # letters stretched for emphasis
        ("STRASSE", "de", "strasse"),
    ],
)
def test_text_is_folded_the_same_way_for_rules_and_narratives(
    raw: str, language: str, folded: str
) -> None:
    assert normalise(raw, language) == folded


def test_chinese_is_segmented_into_words_and_other_scripts_split_on_non_letters() -> None:
    assert words("他现在在家") == ["他", "现在", "在家"]
    assert words("hes home now!!! 🙁") == ["hes", "home", "now"]


def test_every_lexicon_whose_script_appears_applies_not_only_the_declared_one() -> None:
    mixed = tokenise("my dad me pega и бьёт 打我", "en")
    assert set(mixed.stems) == {"en", "es", "fr", "ru", "zh"}
    assert tokenise("🙂🙂", "en").words == ()
    assert set(tokenise("hello", "xx").stems) == {"en", "es", "fr"}  # unknown language: by script
