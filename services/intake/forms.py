"""Reading the portal's forms: strict UTF-8 url-encoded bodies, and the complaint form
turned into the same `SubmitComplaint` the JSON API takes.

Errors are named by form field with a reason code; pages put them in the visitor's language.
The visitor's answers are kept to fill the form again, so nothing typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl

from pydantic import ValidationError

from services.intake.errors import BadForm
from services.intake.model import SubmitComplaint

MAX_FIELDS = 40
Who = Literal["young", "teen", "adult"]
WHO: tuple[Who, ...] = ("young", "teen", "adult")
TEXT_FIELDS = (
    "narrative",
    "region",
    "platform",
    "happened_when",
    "name",
    "phone",
    "email",
    "best_time",
    "relationship",
    "reason_without_consent",
)
# Where a model error's location points on the form.
_FIELD_OF = {
    ("contact", "name"): "name",
    ("contact", "phone"): "phone",
    ("contact", "email"): "email",
    ("contact", "best_time"): "best_time",
    ("on_behalf", "relationship"): "relationship",
    ("on_behalf", "reason_without_consent"): "reason_without_consent",
    ("on_behalf",): "relationship",
}


def parse_form(content_type: str, body: bytes) -> dict[str, str]:
    """The fields of a url-encoded form body; BadForm unless it is one, in UTF-8."""
    if content_type.partition(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise BadForm()
    try:
        pairs = parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise BadForm() from None
    return dict(pairs)


@dataclass
class ComplaintForm:
    """What the visitor typed and chose, and what was wrong with it."""

    who: Who
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _submitted_by(form: ComplaintForm) -> str:
    if form.who == "adult" or form.values.get("about") == "other":
        return "on_behalf"
    return "child"


def _contact(values: dict[str, str]) -> dict[str, Any] | None:
    if values.get("contact") != "yes":
        return None
    return {
        "name": values.get("name", ""),
        "phone": values.get("phone", ""),
        "email": values.get("email", ""),
        "best_time": values.get("best_time", ""),
        "safe_to_contact": True,
    }


def _on_behalf(values: dict[str, str]) -> dict[str, Any]:
    return {
        "relationship": values.get("relationship", ""),
        "child_consents": values.get("consent") == "yes",
        "reason_without_consent": values.get("reason_without_consent", ""),
    }


def _body(form: ComplaintForm, language: str) -> dict[str, Any]:
    values = form.values
    submitted_by = _submitted_by(form)
    return {
        "channel": "web",
        "language": language,
        "narrative": values.get("narrative", ""),
        "submitted_by": submitted_by,
        "anonymous": values.get("contact") != "yes",
        "age_band": values.get("age_band") or "unknown",
        "gender": values.get("gender") or "unknown",
        "disability": _yes_no(values.get("disability")),
        "in_danger": _yes_no(values.get("in_danger")),
        "region": values.get("region", ""),
        "platform": values.get("platform", ""),
        "happened_when": values.get("happened_when", ""),
        "contact": _contact(values),
        "on_behalf": _on_behalf(values) if submitted_by == "on_behalf" else None,
    }


def _reason(error: Any) -> str:
    kind = str(error.get("type", ""))
    if kind in {"string_too_long", "too_long"}:
        return "too_long"
    if kind == "string_too_short" or kind == "missing":
        return "missing"
    if "control characters" in str(error.get("msg", "")):
        return "control"
    return "invalid"


def _field(location: tuple[Any, ...]) -> str:
    names = tuple(str(part) for part in location)
    return _FIELD_OF.get(names[:2]) or _FIELD_OF.get(names[:1]) or names[0] if names else "form"


def to_command(form: ComplaintForm, language: str) -> SubmitComplaint | None:
    """The complaint the form describes, or None with `form.errors` filled in."""
    try:
        return SubmitComplaint.model_validate(_body(form, language))
    except ValidationError as error:
        for problem in error.errors():
            if "reason_without_consent" in str(problem.get("msg", "")):
                form.errors.setdefault("reason_without_consent", "missing")
                continue
            form.errors.setdefault(_field(tuple(problem["loc"])), _reason(problem))
        return None
