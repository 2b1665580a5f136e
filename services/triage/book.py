"""Which rule set is in force: the newest one staff activated (in the database, so every
process sees it without a restart), else the file named in the settings."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.triage.db import newest_rule_set
from services.triage.model import RuleSet


class RuleBook:
    """The rule set in force, compiled once per content hash."""

    def __init__(self, fallback: RuleSet) -> None:
        self._fallback = fallback
        self._compiled: dict[str, RuleSet] = {fallback.content_hash: fallback}

    async def current(self, session: AsyncSession) -> RuleSet:
        """The rule set in force now."""
        row = await newest_rule_set(session)
        if row is None:
            return self._fallback
        found = self._compiled.get(row.content_hash)
        if found is None:
            found = RuleSet.from_bytes(row.body.encode("utf-8"), f"rule set {row.version}")
            self._compiled[row.content_hash] = found
        return found

    def remember(self, rules: RuleSet) -> None:
        """Keep a freshly validated rule set compiled, so its first use costs nothing."""
        self._compiled[rules.content_hash] = rules
