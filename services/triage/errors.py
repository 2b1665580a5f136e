"""Triage's errors.

TriageError
 +-- DecisionNotFound   no decision for that complaint (404)
 +-- RuleSetInvalid     a rule file fails its schema; names the file and line (422)
 +-- RuleSetRegresses   a new rule set would miss P1 complaints of the corpus (409)

Messages name rules and files, never a child's words.
"""

from __future__ import annotations

from shared.errors import HeardError


class TriageError(HeardError):
    """Root of triage's domain errors."""


class DecisionNotFound(TriageError):
    """Triage has made no decision for that complaint."""

    status_code = 404
    public_detail = "no triage decision for that complaint"


class RuleSetInvalid(TriageError):
    """A rule file that fails its schema: which file, which line, what is wrong."""

    status_code = 422

    def __init__(self, file: str, line: int, problem: str) -> None:
        super().__init__(f"{file}, line {line}: {problem}")
        self.file, self.line, self.problem = file, line, problem

    @property
    def public_detail(self) -> str:  # type: ignore[override]
        """The file, line and problem (the rule file is staff's own text, not a child's)."""
        return str(self)


class RuleSetRegresses(TriageError):
    """A rule set that misses P1 complaints of the evaluation corpus the current one finds."""

    status_code = 409

    def __init__(self, recall: float, required: float) -> None:
        super().__init__(f"P1 recall {recall:.3f} below {required:.3f}")
        self.recall, self.required = recall, required

    @property
    def public_detail(self) -> str:  # type: ignore[override]
        """The recall measured and the recall required."""
        return (
            f"refused: P1 recall on the corpus would be {self.recall:.3f}, "
            f"needs {self.required:.3f}"
        )
