"""Casework's errors.

CaseworkError
 +-- CaseNotFound          no case with that id (404)
 +-- InvalidCursor         a queue page cursor that casework did not issue (422)
 +-- CaseNotVisible        the caller's roles do not reach this case or this part of it (403)
 +-- AccessReasonRequired  the caller's role must say why it reads a child's data (422)
 +-- RoleNotAllowed        the caller's roles may not take this action (403)
 +-- StepNotAllowed        the action is not allowed from the case's current step (409)
 +-- ReasonRequired        a person decides here and gave no reason (422)
 +-- StaleVersion          someone changed the case since the caller read it (409)
 +-- AlreadyAssigned       the case is someone else's; a supervisor may reassign it (409)
 +-- PageNotFound          no page with that id (404)
 +-- NotFoundOnCase        no referral, approval or recommendation with that id here (404)
 +-- NotNow                that referral, approval or recommendation cannot change so (409)
 +-- ConsentRequired       a referral without the child's consent needs a supervisor's
                           approved override first (409)
 +-- DossierFontsMissing   the fonts the dossier's text needs are not installed (503)
"""

from __future__ import annotations

from shared.errors import HeardError


class CaseworkError(HeardError):
    """Root of casework's domain errors."""


class CaseNotFound(CaseworkError):
    """No case has that id."""

    status_code = 404
    public_detail = "no case with that id"


class InvalidCursor(CaseworkError):
    """The page cursor is not one casework issued."""

    status_code = 422
    public_detail = "cursor: the page cursor is not one this queue issued"


class CaseNotVisible(CaseworkError):
    """The caller's roles do not reach this case, or not this part of it."""

    status_code = 403
    public_detail = "your roles do not give you this part of this case"


class AccessReasonRequired(CaseworkError):
    """The caller's role reads a child's data only with a stated reason."""

    status_code = 422
    public_detail = "reason: say why you need to read this child's data"


class RoleNotAllowed(CaseworkError):
    """The caller's roles may not take this action."""

    status_code = 403
    public_detail = "your roles may not take this action"


class StepNotAllowed(CaseworkError):
    """The action is not allowed from the case's current step."""

    status_code = 409
    public_detail = "this action is not allowed at the case's current step"


class ReasonRequired(CaseworkError):
    """A person decides here and must give a reason."""

    status_code = 422
    public_detail = "reason: this decision needs a reason"


class StaleVersion(CaseworkError):
    """The case changed since the caller read it."""

    status_code = 409
    public_detail = "version: the case changed since you read it; reload and try again"


class AlreadyAssigned(CaseworkError):
    """The case is assigned to someone else."""

    status_code = 409
    public_detail = "the case is assigned to someone else; a supervisor may reassign it"


class PageNotFound(CaseworkError):
    """No page has that id."""

    status_code = 404
    public_detail = "no page with that id"


class NotFoundOnCase(CaseworkError):
    """No referral, approval or recommendation with that id on this case."""

    status_code = 404
    public_detail = "no such referral, approval or recommendation on this case"


class NotNow(CaseworkError):
    """The referral, approval or recommendation cannot change that way from where it is."""

    status_code = 409
    public_detail = "that change is not allowed from its current status"


class ConsentRequired(CaseworkError):
    """Referring without the child's consent needs a supervisor's approved override."""

    status_code = 409
    public_detail = "no recorded consent: ask a supervisor to approve an override first"


class DossierFontsMissing(CaseworkError):
    """A font the dossier's text needs is not installed (scripts/bootstrap.sh installs them)."""

    status_code = 503
    public_detail = "the dossier cannot be drawn: its fonts are not installed on this server"
