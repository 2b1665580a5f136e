"""Triage's pure rules: a compiled rule set and the decision it yields. No I/O.

A decision is a suggestion with its reasons: categories, urgency (P1 immediate danger,
P2 high, P3 normal), the queue and deadline, interim measures, an admissibility pre-screen.
Reasons name rules, signals and answers, never the child's words.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from services.triage.matcher import LanguageIndex, Matches, build_index, find
from services.triage.ruleset import Category, Level, RuleSetData, content_hash, parse
from services.triage.text import normalise, tokenise

URGENCY_NAMES: dict[Level, Literal["emergency", "urgent", "standard"]] = {
    "P1": "emergency",
    "P2": "urgent",
    "P3": "standard",
}
LEVELS: tuple[Level, ...] = ("P1", "P2", "P3")


@dataclass(frozen=True)
class RuleSet:
    """A validated rule set, compiled for matching, with its version and content hash."""

    data: RuleSetData
    content_hash: str
    raw: bytes
    index: dict[str, LanguageIndex]
    negatable: tuple[bool, ...]
    categories: dict[str, Category]
    rank: dict[str, tuple[Level, int]]
    signal_levels: dict[str, Level | None]
    interim_signals: frozenset[str]

    @classmethod
    def from_bytes(cls, raw: bytes, name: str) -> RuleSet:
        """Validate (RuleSetInvalid names file and line) and compile a rule file's bytes."""
        data = parse(raw, name)
        return cls(
            data=data,
            content_hash=content_hash(raw),
            raw=raw,
            index=build_index(data),
            negatable=tuple(rule.negatable for rule in data.rules),
            categories={c.code: c for c in data.taxonomy},
            # Gravest first: by the category's own urgency, then by its place in the taxonomy.
            rank={c.code: (c.urgency, n) for n, c in enumerate(data.taxonomy)},
            signal_levels={s.code: s.urgency for s in data.signals},
            interim_signals=frozenset(data.interim_signals),
        )

    @classmethod
    def load(cls, path: Path) -> RuleSet:
        """Read, validate and compile the rule file at `path`."""
        return cls.from_bytes(path.read_bytes(), path.name)

    @property
    def version(self) -> str:
        """The version the rule file declares."""
        return self.data.version


@dataclass(frozen=True)
class Targets:
    """How soon each urgency level must be answered (from settings)."""

    p1: timedelta = timedelta(hours=1)
    p2: timedelta = timedelta(hours=24)
    p3: timedelta = timedelta(days=7)

    def due(self, level: Level, received_at: datetime) -> datetime:
        """The response deadline for `level`."""
        return received_at + {"P1": self.p1, "P2": self.p2, "P3": self.p3}[level]


@dataclass(frozen=True)
class Facts:
    """What triage knows besides the narrative, all optional but the language and time."""

    language: str
    received_at: datetime
    age_band: str = "unknown"
    in_danger_now: bool | None = None
    region: str | None = None
    likely_duplicate: bool = False


@dataclass(frozen=True)
class Screen:
    """The admissibility pre-screen: a suggestion with reasons; a person decides."""

    suggestion: Literal["likely_admissible", "review"]
    reasons: tuple[str, ...]

    @classmethod
    def cached(cls, path: Path) -> RuleSet:
        """The rule set in `path`, read once per process."""
        return _load_cached(path)


@functools.lru_cache(maxsize=8)
def _load_cached(path: Path) -> RuleSet:
    return RuleSet.load(path)


@dataclass(frozen=True)
class Decision:
    """Where a complaint goes, how fast, and why; the rules that fired make it replayable."""

    categories: tuple[str, ...]
    urgency: Level
    queue: str
    respond_by: datetime
    signals: tuple[str, ...]
    rules_fired: tuple[str, ...]
    interim_measures: bool
    admissibility: Screen
    reasons: tuple[str, ...]
    rule_set: str
    rule_set_hash: str

    @property
    def category(self) -> str:
        """The primary category: the gravest matched."""
        return self.categories[0]

    @property
    def priority(self) -> int:
        """1 (P1) to 3 (P3)."""
        return LEVELS.index(self.urgency) + 1

    @property
    def urgency_name(self) -> Literal["emergency", "urgent", "standard"]:
        """The urgency's word, as casework's queues show it."""
        return URGENCY_NAMES[self.urgency]


def decide(rules: RuleSet, narrative: str, facts: Facts, targets: Targets) -> Decision:
    """Triage one narrative under `rules`."""
    tokens = tokenise(narrative, facts.language)
    matches = find(rules.index, rules.negatable, tokens, rules.data.negation_window)
    categories, signals = _labels(rules, matches)
    urgency, urgency_reasons = _urgency(rules, categories, signals, facts)
    fired = tuple(rules.data.rules[r].id for r in matches.fired)
    return Decision(
        categories=categories,
        urgency=urgency,
        queue=_queue(rules, categories[0], urgency, facts.region),
        respond_by=targets.due(urgency, facts.received_at),
        signals=tuple(sorted(signals)),
        rules_fired=fired,
        interim_measures=_interim(rules, urgency, categories, signals),
        admissibility=_screen(rules, len(tokens.words), categories, signals, facts),
        reasons=(
            *(f"rule {rule} matched" for rule in fired),
            *(f"rule {rules.data.rules[r].id} negated, ignored" for r in matches.negated),
            *urgency_reasons,
        ),
        rule_set=rules.version,
        rule_set_hash=rules.content_hash,
    )


def _labels(rules: RuleSet, matches: Matches) -> tuple[tuple[str, ...], set[str]]:
    codes: set[str] = set()
    signals: set[str] = set()
    for number in matches.fired:
        codes.update(rules.data.rules[number].categories)
        signals.update(rules.data.rules[number].signals)
    if not codes:
        return (rules.data.default_category,), signals
    return tuple(sorted(codes, key=rules.rank.__getitem__)), signals


def _urgency(
    rules: RuleSet, categories: tuple[str, ...], signals: set[str], facts: Facts
) -> tuple[Level, list[str]]:
    found: list[tuple[Level, str]] = [
        (rules.categories[c].urgency, f"category {c}") for c in categories
    ]
    levels = rules.signal_levels
    found += [(level, f"signal {s}") for s in sorted(signals) if (level := levels[s])]
    found += [
        (c.urgency, "signals " + " + ".join(c.all) + " together")
        for c in rules.data.combinations
        if signals.issuperset(c.all)
    ]
    if facts.in_danger_now:
        found.append(("P1", "answered: in danger now"))
    level, why = min(found)
    reasons = [f"urgency {level}: {why}"]
    raised = _aged(rules, level, categories, facts.age_band)
    if raised != level:
        reasons.append(f"urgency {raised}: age band {facts.age_band} (younger is more urgent)")
    return raised, reasons


def _aged(rules: RuleSet, level: Level, categories: tuple[str, ...], age_band: str) -> Level:
    ageing = rules.data.ageing
    steps = ageing.raise_levels.get(age_band, 0)
    if ageing.only_with_categories and not any(
        c.startswith(ageing.only_with_categories) for c in categories
    ):
        return level
    return LEVELS[max(0, LEVELS.index(level) - steps)]


def _interim(
    rules: RuleSet, urgency: Level, categories: tuple[str, ...], signals: set[str]
) -> bool:
    if urgency != "P1":
        return False
    grave = any(rules.categories[c].interim_measures for c in categories)
    return grave or not rules.interim_signals.isdisjoint(signals)


_SLUG = re.compile(r"[^a-z0-9]+")


def _queue(rules: RuleSet, category: str, urgency: Level, region: str | None) -> str:
    for route in rules.data.routes:
        if route.urgency not in (None, urgency):
            continue
        if route.category_prefix and not category.startswith(route.category_prefix):
            continue
        if not (route.regional and region):
            return route.queue
        slug = _SLUG.sub("_", normalise(region)).strip("_")[:20]
        # Casework names queues [a-z0-9_-]: region after a hyphen.
        return f"{route.queue}-{slug}" if slug else route.queue
    return rules.categories[category].queue


def _screen(
    rules: RuleSet, words: int, categories: tuple[str, ...], signals: set[str], facts: Facts
) -> Screen:
    settings = rules.data.admissibility
    reasons: list[str] = []
    if facts.age_band == "adult":
        reasons.append("mandate: check that the person was under 18 at the time")
    if categories == (rules.data.default_category,):
        reasons.append(
            "substance: little to act on; ask for more information"
            if words < settings.min_words
            else "topic: no rule recognised what it is about; a person should read it"
        )
    if "long_ago" in signals:
        reasons.append("time limit: events may be old; check the time limits")
    if facts.likely_duplicate:
        days = settings.duplicate_window_days
        reasons.append(f"same matter: likely duplicate of a complaint of the last {days} days")
    return Screen("review" if reasons else "likely_admissible", tuple(reasons))
