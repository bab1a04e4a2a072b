"""Errors that applicants and staff meet while applying, withdrawing and reading applications."""

from archive_api.errors import Conflict, DiwanError, NotFound


class ApplicationsClosed(Conflict):
    """The announcement does not accept applications now: not yet open, closed, or closed early."""

    code = "applications_closed"


class NotEligible(DiwanError):
    """The profile misses one or more requirements; `unmet` lists each RequirementCheck that failed."""

    http_status = 422
    code = "not_eligible"

    def __init__(self, message: str, unmet: list | None = None, **params) -> None:
        self.unmet = list(unmet or [])
        super().__init__(message, **params)

    def __reduce__(self):
        return _rebuild_not_eligible, (type(self), self.message, self.unmet, self.params)


def _rebuild_not_eligible(cls, message, unmet, params):
    return cls(message, unmet, **params)


class WithdrawalClosed(Conflict):
    code = "withdrawal_closed"


class ApplicationNotFound(NotFound):
    code = "application_not_found"


class InvalidApplicationFilter(DiwanError):
    http_status = 422
    code = "invalid_application_filter"
