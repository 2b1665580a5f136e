"""Names of institutions, places and persons that a narrative itself gives, for the systemic
pattern count: "St Anne's Children's Home", "School No. 5", "Mr Dupont", "阳光福利院".

Only what reads as a proper name (capitalised words around an institution word or after a
title; in Chinese, a name ending in an institution word) is taken, and only its keyed hash is
ever kept. A miss costs a pattern that the explicit `concerning` field can still carry.
"""

from __future__ import annotations

import re

_INSTITUTION = (
    r"(?:Home|School|Academy|College|Centre|Center|Hospital|Prison|Orphanage|Shelter|Club|"
    r"[ÉE]cole|Lyc[ée]e|Coll[èe]ge|Foyer|Centre|Escuela|Colegio|Liceo|Hogar|Centro|Orfanato|"
    r"Школа|Лицей|Гимназия|Интернат|Детский дом|Приют|Колония)"
)
_CAPITALISED = r"(?:[A-ZÀ-ÞА-ЯЁ][\w'\u2019.-]*|No\.?|№\s?\d+|\d+|of|de|du|la|del|los|las|the|St\.?)"
_LATIN_CYRILLIC = re.compile(
    rf"\b(?:{_CAPITALISED}\s+){{0,4}}{_INSTITUTION}(?:\s+{_CAPITALISED}){{0,4}}"
)
_TITLED = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Father|Sister|Coach|M\.|Mme|Sr|Sra|Padre|Profesor|Professeur)\.?\s+"
    r"[A-ZÀ-Þ][\w'\u2019-]+(?:\s+[A-ZÀ-Þ][\w'\u2019-]+)?"
)
_CHINESE = re.compile(
    r"[\u4e00-\u9fff]{2,8}(?:学校|中学|小学|福利院|孤儿院|医院|看守所|少管所|收容所)"
)
_BARE = re.compile(rf"^(?:{_INSTITUTION}|\s)+$")
_EDGE_WORDS = frozenset({"the", "of", "de", "du", "la", "del", "los", "las", "at", "in", "a", "an"})


def named_subjects(narrative: str, limit: int = 5) -> list[str]:
    """Proper names of institutions or persons in `narrative` (at most `limit`)."""
    found: list[str] = []
    for pattern in (_LATIN_CYRILLIC, _TITLED, _CHINESE):
        for match in pattern.finditer(narrative):
            name = _trimmed(match.group(0))
            if _is_name(name) and name not in found:
                found.append(name)
    return found[:limit]


def _trimmed(text: str) -> str:
    words = text.strip(" .,").split()
    while words and words[0].casefold() in _EDGE_WORDS:
        words.pop(0)
    while words and words[-1].casefold() in _EDGE_WORDS:
        words.pop()
    return " ".join(words)


def _is_name(text: str) -> bool:
    # A bare institution word ("School", "the Home") names no particular place.
    return len(text) >= 3 and not _BARE.match(text)
