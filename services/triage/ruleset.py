"""A rule set as data: its schema, and reading a YAML file with errors that name file and line.

A rule set has a version, a content hash (SHA-256 of the file's bytes), the taxonomy of
categories, the signals that set urgency, the rules (phrases per language), and the routes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.triage.errors import RuleSetInvalid
from services.triage.text import LANGUAGES

Level = Literal["P1", "P2", "P3"]
Phrase = Field(min_length=1, max_length=200)
Code = Field(min_length=1, max_length=64, pattern=r"^[a-z_]+(\.[a-z_]+)*$")
MAX_BYTES = 1_000_000
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Category(_Strict):
    """One entry of the taxonomy: a stable code, a label, the queue it goes to by default."""

    code: str = Code
    label: str = Field(min_length=1, max_length=200)
    queue: str = Field(min_length=1, max_length=40, pattern=r"^[a-z_]+$")
    urgency: Level = "P3"
    interim_measures: bool = False


class Signal(_Strict):
    """A fact that bears on urgency (a plan to die, the abuser at home, a deadline)."""

    code: str = Code
    urgency: Level | None = None


class Combination(_Strict):
    """Signals that together raise urgency (abuse going on AND the abuser is home now)."""

    all: tuple[str, ...] = Field(min_length=2, max_length=5)
    urgency: Level


class Rule(_Strict):
    """Phrases that, found in a narrative, put it in categories and/or raise signals.

    A phrase is words separated by spaces; `...` between words allows a gap of a few words;
    a word ending in `*` matches any word it begins. Words are stemmed, so "hit" finds "hits".
    A negatable rule ignores a match with a negation just before it ("he never hits me").
    """

    id: str = Code
    categories: tuple[str, ...] = Field(default=(), max_length=10)
    signals: tuple[str, ...] = Field(default=(), max_length=10)
    negatable: bool = True
    phrases: dict[str, tuple[str, ...]]


class Route(_Strict):
    """A queue for complaints that meet every condition given (absent conditions always hold)."""

    queue: str = Field(min_length=1, max_length=40, pattern=r"^[a-z_]+$")
    urgency: Level | None = None
    category_prefix: str | None = Field(default=None, max_length=64)
    regional: bool = False


class Admissibility(_Strict):
    """Thresholds for the pre-screen (a suggestion with reasons, never a rejection)."""

    min_words: int = Field(default=4, ge=0, le=1000)
    duplicate_window_days: int = Field(default=90, ge=1, le=3650)


class Ageing(_Strict):
    """How many levels a child's age band raises urgency (younger is more urgent)."""

    raise_levels: dict[str, int] = Field(default_factory=dict)
    only_with_categories: tuple[str, ...] = ()


class RuleSetData(_Strict):
    """The whole document."""

    version: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    gap_words: int = Field(default=4, ge=1, le=12)
    negation_window: int = Field(default=3, ge=1, le=8)
    negators: dict[str, tuple[str, ...]]
    taxonomy: tuple[Category, ...] = Field(min_length=1, max_length=200)
    signals: tuple[Signal, ...] = Field(max_length=100)
    combinations: tuple[Combination, ...] = Field(default=(), max_length=100)
    interim_signals: tuple[str, ...] = ()
    ageing: Ageing = Ageing()
    admissibility: Admissibility = Admissibility()
    rules: tuple[Rule, ...] = Field(min_length=1, max_length=5000)
    routes: tuple[Route, ...] = Field(min_length=1, max_length=200)
    default_category: str = Code


def content_hash(raw: bytes) -> str:
    """The rule set's identity for replay: SHA-256 of its exact bytes."""
    return hashlib.sha256(raw).hexdigest()


def parse(raw: bytes, name: str) -> RuleSetData:
    """Validate a rule file; RuleSetInvalid names `name`, the line and what is wrong."""
    if len(raw) > MAX_BYTES:
        raise RuleSetInvalid(name, 1, f"file larger than {MAX_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
        document = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except UnicodeDecodeError:
        raise RuleSetInvalid(name, 1, "not UTF-8 text") from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise RuleSetInvalid(name, line, f"not valid YAML: {exc.problem}") from None
    try:
        data = RuleSetData.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RuleSetInvalid(name, _line(text, first["loc"]), _message(first)) from None
    problem = _cross_check(data)
    if problem:
        loc, message = problem
        raise RuleSetInvalid(name, _line(text, loc), message)
    return data


def load(path: Path) -> tuple[RuleSetData, str, bytes]:
    """Read and validate the rule file at `path`: its data, content hash and bytes."""
    raw = path.read_bytes()
    return parse(raw, path.name), content_hash(raw), raw


def _message(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def _line(text: str, loc: tuple[int | str, ...]) -> int:
    """The 1-based line of the YAML node at `loc`, or of its nearest ancestor that exists."""
    # Composing keeps each node's position; done only for a file already found wrong.
    node: yaml.Node | None = yaml.compose(text, Loader=_LOADER)
    line = node.start_mark.line + 1 if node else 1
    for part in loc:
        node = _child(node, part)
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _child(node: yaml.Node | None, part: int | str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == part), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        child: yaml.Node = node.value[part]
        return child
    return None


Problem = tuple[tuple[int | str, ...], str]


def _cross_check(data: RuleSetData) -> Problem | None:
    """References between sections: every code used is defined, every language known."""
    codes = {c.code for c in data.taxonomy}
    signals = {s.code for s in data.signals}
    if data.default_category not in codes:
        return ("default_category",), "default_category is not in the taxonomy"
    seen: set[str] = set()
    for index, rule in enumerate(data.rules):
        problem = _check_rule(rule, codes, signals, seen)
        if problem:
            return ("rules", index, *problem[0]), f"rule {rule.id}: {problem[1]}"
        seen.add(rule.id)
    for index, combination in enumerate(data.combinations):
        if unknown := set(combination.all) - signals:
            return ("combinations", index), f"unknown signal {sorted(unknown)[0]}"
    if unknown := set(data.interim_signals) - signals:
        return ("interim_signals",), f"unknown signal {sorted(unknown)[0]}"
    return None


def _check_rule(rule: Rule, codes: set[str], signals: set[str], seen: set[str]) -> Problem | None:
    if rule.id in seen:
        return ("id",), "the same id is used twice"
    if not rule.categories and not rule.signals:
        return ("id",), "names neither a category nor a signal"
    if unknown := set(rule.categories) - codes:
        return ("categories",), f"unknown category {sorted(unknown)[0]}"
    if unknown := set(rule.signals) - signals:
        return ("signals",), f"unknown signal {sorted(unknown)[0]}"
    for language, phrases in rule.phrases.items():
        if language not in LANGUAGES:
            return ("phrases", language), f"unknown language {language}"
        for index, phrase in enumerate(phrases):
            words = phrase.split()
            if not words or "..." in (words[0], words[-1]) or len(phrase) > 200:
                return ("phrases", language, index), "a phrase must start and end with a word"
    return None
