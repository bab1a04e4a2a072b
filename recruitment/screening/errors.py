"""Errors that staff meet while forming committees, deciding, closing screening and scheduling sessions."""

from archive_api.errors import Conflict, DiwanError, NotFound, PermissionDenied


class CommitteeNotFound(NotFound):
    code = "committee_not_found"


class NotCommitteeMember(PermissionDenied):
    code = "not_committee_member"


class NotChair(PermissionDenied):
    code = "not_committee_chair"


class InvalidCommittee(DiwanError):
    """A committee form that cannot be saved; field_errors contains one error per form field."""

    http_status = 422
    code = "invalid_committee"

    def __init__(self, message: str, field_errors: dict[str, DiwanError] | None = None, **params) -> None:
        super().__init__(message, **params)
        self.field_errors = field_errors or {}


class ScreeningNotOpen(Conflict):
    """The announcement still accepts applications, so its applications cannot be screened yet."""

    code = "screening_not_open"


class ScreeningClosed(Conflict):
    """The chair closed screening, so its decisions and committee no longer change."""

    code = "screening_closed"


class ScreeningStillOpen(Conflict):
    """A step after screening (sessions, results) was asked for before the chair closed screening."""

    code = "screening_still_open"


class InvalidDecision(DiwanError):
    http_status = 422
    code = "invalid_screening_decision"


class UndecidedApplications(Conflict):
    """Closing was refused; `undecided` lists the applications still without a decision, by number."""

    code = "undecided_applications"

    def __init__(self, message: str, undecided: list | None = None, **params) -> None:
        self.undecided = list(undecided or [])
        super().__init__(message, **params)

    def __reduce__(self):
        return _rebuild_undecided, (type(self), self.message, self.undecided, self.params)


def _rebuild_undecided(cls, message, undecided, params):
    return cls(message, undecided, **params)


class InvalidReason(DiwanError):
    http_status = 422
    code = "invalid_rejection_reason"


class InvalidSession(DiwanError):
    """A session form that cannot be saved; field_errors contains one error per form field."""

    http_status = 422
    code = "invalid_assessment_session"

    def __init__(self, message: str, field_errors: dict[str, DiwanError] | None = None, **params) -> None:
        super().__init__(message, **params)
        self.field_errors = field_errors or {}


class AssignmentRefused(Conflict):
    """A seat that cannot be given: the session is full or past, or the application was not accepted."""

    code = "assignment_refused"
