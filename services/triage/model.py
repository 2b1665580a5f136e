"""Triage's pure rules: a versioned rule set and the decision it yields. No I/O."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from shared.events.contracts.triage import Urgency


class CategoryRule(BaseModel):
    """Keywords that put a complaint in a category and a queue."""

    model_config = ConfigDict(frozen=True)

    name: str
    queue: str
    keywords: tuple[str, ...]


class UrgencyRule(BaseModel):
    """Words (or categories) that raise a complaint to an urgency level."""

    model_config = ConfigDict(frozen=True)

    level: Urgency
    priority: int = Field(ge=1, le=4)
    respond_within_hours: int = Field(gt=0)
    keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


class RuleSet(BaseModel):
    """A complete, versioned set of triage rules (loaded from a data file)."""

    model_config = ConfigDict(frozen=True)

    version: str
    default_category: str
    categories: tuple[CategoryRule, ...]
    queues: dict[str, str]
    urgency: tuple[UrgencyRule, ...]
    default_urgency: UrgencyRule

    @classmethod
    def load(cls, path: Path) -> RuleSet:
        """Read and validate a rule set file."""
        return cls.model_validate(yaml.safe_load(path.read_text("utf-8")))

    @classmethod
    def cached(cls, path: Path) -> RuleSet:
        """The rule set in `path`, read once per process."""
        return _load_cached(path)


@functools.lru_cache(maxsize=8)
def _load_cached(path: Path) -> RuleSet:
    return RuleSet.load(path)


@dataclass(frozen=True)
class Decision:
    """Where a complaint goes, how fast, and why."""

    category: str
    urgency: Urgency
    priority: int
    queue: str
    respond_by: datetime
    reasons: tuple[str, ...]
    rule_set: str


class _Matcher:
    """Counts keyword hits on word boundaries; `stem*` matches any ending; CJK by substring."""

    def __init__(self, keywords: tuple[str, ...]) -> None:
        self._keywords = keywords

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        parts = [_keyword_pattern(k.casefold()) for k in self._keywords]
        return re.compile("|".join(parts) or r"(?!)")

    def hits(self, text: str) -> int:
        return len(self._pattern.findall(text))


def _keyword_pattern(keyword: str) -> str:
    if any("\u3040" <= ch <= "\u9fff" for ch in keyword):
        return re.escape(keyword)
    if keyword.endswith("*"):
        return rf"(?<!\w){re.escape(keyword[:-1])}\w*"
    return rf"(?<!\w){re.escape(keyword)}(?!\w)"


def _category(rules: RuleSet, text: str) -> tuple[CategoryRule | None, int]:
    # Categories are listed gravest first, and the gravest one matched wins however many words
    # a milder one matched: a child hit by a teacher is a violence case, not an education one.
    for category in rules.categories:
        hits = _Matcher(category.keywords).hits(text)
        if hits:
            return category, hits
    return None, 0


def _urgency(rules: RuleSet, text: str, category: str) -> tuple[UrgencyRule, str]:
    for rule in rules.urgency:
        if _Matcher(rule.keywords).hits(text):
            return rule, f"urgency {rule.level}: words of danger or threat"
        if category in rule.categories:
            return rule, f"urgency {rule.level}: category {category} is always prioritised"
    return rules.default_urgency, f"urgency {rules.default_urgency.level}: no danger signal"


def decide(rules: RuleSet, narrative: str, received_at: datetime) -> Decision:
    """Triage one narrative; reasons name rules, never the child's words."""
    text = narrative.casefold()
    match, hits = _category(rules, text)
    category = match.name if match else rules.default_category
    queue = match.queue if match else rules.queues.get(category, "general")
    category_reason = (
        f"category {category}: {hits} keyword match(es)"
        if match
        else f"category {category}: no keyword matched"
    )
    urgency, urgency_reason = _urgency(rules, text, category)
    return Decision(
        category=category,
        urgency=urgency.level,
        priority=urgency.priority,
        queue=queue,
        respond_by=received_at + timedelta(hours=urgency.respond_within_hours),
        reasons=(category_reason, urgency_reason),
        rule_set=rules.version,
    )
