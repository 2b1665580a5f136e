"""Intake's pure rules: what a valid submission is, and how the child's status moves. No I/O.

Submissions are read strictly (no coercion of "yes" to true, no unknown fields) because a
child's words must arrive as sent or be refused with the field named; text is stripped,
optional text left blank counts as absent, and control characters other than tab and line
breaks are refused (PostgreSQL cannot store NUL, and nothing a client sends may end in a 500).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from services.intake.receipts import MAX_INPUT_CHARS, RECEIPT_PATTERN, is_code
from shared.events.contracts.casework import Step
from shared.events.contracts.intake import (
    AgeBand,
    Channel,
    ContactDetails,
    Gender,
    Language,
    OnBehalf,
    Submitter,
)

NARRATIVE_MAX_CHARS = 20_000  # the ComplaintSubmitted contract's limit; a test keeps them equal

Status = Literal[
    "received",
    "case_opened",
    "acknowledged",
    "admissibility_review",
    "inadmissible",
    "admissible",
    "transmitted",
    "friendly_settlement",
    "examination",
    "decision",
    "follow_up",
    "closed",
    "withdrawn",
]
RECEIVED: Status = "received"
CASE_OPENED: Status = "case_opened"
WITHDRAWN: Status = "withdrawn"
# How far along each status is: late or repeated news never moves a child's status back.
# Alternatives of the procedure (admissible or not; settlement or examination) share a rank.
RANK: dict[str, int] = {
    "received": 0,
    "case_opened": 1,
    "acknowledged": 2,
    "admissibility_review": 3,
    "inadmissible": 4,
    "admissible": 4,
    "transmitted": 5,
    "friendly_settlement": 6,
    "examination": 6,
    "decision": 7,
    "follow_up": 8,
    "closed": 9,
    "withdrawn": 9,
}
FINISHED = frozenset({"inadmissible", "closed", "withdrawn"})
assert set(RANK) == set(get_args(Status)) >= set(get_args(Step))  # noqa: S101 - import-time check
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# `_clean_text` below, documented on every text field (`Some` when the field may not be blank).
_CLEAN = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_CLEAN_TEXT = {"pattern": f"^{_CLEAN}*$"}
_CLEAN_SOME = {"pattern": rf"^{_CLEAN}*(?!\s){_CLEAN}{_CLEAN}*$"}


def _documented(rules: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """The JSON schema of an input model: its text rules on each text field, and `rules`."""

    def extra(schema: dict[str, Any]) -> None:
        for field in schema.get("properties", {}).values():
            for kind in [field, *field.get("anyOf", ())]:
                if kind.get("type") == "string" and "enum" not in kind:
                    kind.update(_CLEAN_SOME if kind.get("minLength") else _CLEAN_TEXT)
        schema.update(rules)

    return extra


class _Input(BaseModel):
    """What every part of a submission shares: strict types, stripped text, no NULs."""

    model_config = ConfigDict(
        extra="forbid", strict=True, str_strip_whitespace=True, json_schema_extra=_documented({})
    )

    @field_validator("*")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if CONTROL_CHARACTERS.search(value):
            raise ValueError("must not contain control characters")
        # Forms send empty inputs as "": an optional answer left blank was not given.
        return value or None


class ContactIn(ContactDetails, _Input):
    """Contact details as submitted."""


class OnBehalfIn(OnBehalf, _Input):
    """Who submits for the child, as submitted."""

    # The rule below, documented: without the child's consent, a reason (not blank) is required.
    model_config = ConfigDict(
        json_schema_extra=_documented(
            {
                "if": {"properties": {"child_consents": {"const": False}}},
                "then": {
                    "properties": {"reason_without_consent": {"type": "string", **_CLEAN_SOME}},
                    "required": ["reason_without_consent"],
                },
            }
        )
    )

    @model_validator(mode="after")
    def _justified_without_consent(self) -> OnBehalfIn:
        # OPIC art. 5(1): acting without the child's consent must be justified.
        if not self.child_consents and self.reason_without_consent is None:
            raise ValueError("reason_without_consent is required when the child does not consent")
        return self


# The two validators of SubmitComplaint below, documented in its schema.
_BLANK_OR_NULL = {"anyOf": [{"type": "null"}, {"type": "string", "pattern": r"^\s*$"}]}
_SUBMISSION_RULES = {
    "allOf": [
        {
            "if": {"properties": {"submitted_by": {"const": "on_behalf"}}},
            "then": {"required": ["on_behalf"], "properties": {"on_behalf": {"type": "object"}}},
            "else": {"properties": {"on_behalf": {"type": "null"}}},
        },
        {
            "if": {"properties": {"anonymous": {"const": True}}, "required": ["anonymous"]},
            "then": {
                "properties": {
                    "contact": {
                        "anyOf": [{"type": "null"}, {"properties": {"name": _BLANK_OR_NULL}}]
                    }
                }
            },
        },
    ]
}


class SubmitComplaint(_Input):
    """A complaint as a child, or someone acting for a child, submits it."""

    model_config = ConfigDict(json_schema_extra=_documented(_SUBMISSION_RULES))

    channel: Channel
    language: Language
    narrative: str = Field(min_length=1, max_length=NARRATIVE_MAX_CHARS)
    submitted_by: Submitter
    anonymous: bool = False
    age_band: AgeBand = "unknown"
    gender: Gender = "unknown"
    disability: bool | None = None
    region: str | None = Field(default=None, max_length=100)
    contact: ContactIn | None = Field(default=None, validate_default=True)
    on_behalf: OnBehalfIn | None = Field(default=None, validate_default=True)
    platform: str | None = Field(default=None, max_length=100)
    happened_when: str | None = Field(default=None, max_length=200)
    in_danger: bool | None = None

    @field_validator("contact")
    @classmethod
    def _anonymous_has_no_name(cls, contact: ContactIn | None, info: ValidationInfo) -> Any:
        if info.data.get("anonymous") and contact is not None and contact.name is not None:
            raise ValueError("an anonymous complaint carries no name")
        return contact

    @field_validator("on_behalf")
    @classmethod
    def _on_behalf_iff_submitted_so(cls, on_behalf: OnBehalfIn | None, info: ValidationInfo) -> Any:
        submitted_by = info.data.get("submitted_by")
        if submitted_by == "on_behalf" and on_behalf is None:
            raise ValueError("required when submitted_by is on_behalf")
        if submitted_by == "child" and on_behalf is not None:
            raise ValueError("only for a complaint submitted on a child's behalf")
        return on_behalf


class CheckStatus(BaseModel):
    """A child asking, with their receipt code, where their complaint stands."""

    model_config = ConfigDict(extra="forbid", strict=True)

    receipt_code: str = Field(min_length=1, max_length=MAX_INPUT_CHARS, pattern=RECEIPT_PATTERN)

    @field_validator("receipt_code")
    @classmethod
    def _well_formed(cls, code: str) -> str:
        if not is_code(code):
            raise ValueError("not a receipt code")  # never echo it: it may be a real code
        return code


def advances(current: str, new: str) -> bool:
    """Whether `new` is further along than `current`: late or repeated news never goes back."""
    return current not in FINISHED and RANK[new] > RANK[current]


def is_finished(status: str) -> bool:
    """Whether the complaint is over (closed, inadmissible or withdrawn)."""
    return status in FINISHED
