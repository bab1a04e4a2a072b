"""Errors that applicants meet while signing up, signing in, confirming codes and editing their profile."""

from archive_api.errors import Conflict, DiwanError


class InvalidApplicantData(DiwanError):
    """A sign-up, sign-in or profile field with a value that cannot be accepted."""

    http_status = 422
    code = "invalid_applicant_data"


class AccountExists(Conflict):
    code = "account_exists"


class SignInFailed(DiwanError):
    http_status = 401
    code = "sign_in_failed"


class CodeRejected(DiwanError):
    """A one-time code that is wrong, expired, already used or locked after too many attempts."""

    http_status = 422
    code = "code_rejected"


class TooManyRequests(DiwanError):
    """A request rejected for a while: a code requested too soon, or too many attempts."""

    http_status = 429
    code = "too_many_requests"


class EntryInvalid(DiwanError):
    """A profile entry with one or more bad fields; `errors` maps each form field to its error."""

    http_status = 422
    code = "entry_invalid"

    def __init__(self, message: str, errors: dict[str, DiwanError] | None = None, **params) -> None:
        self.errors = dict(errors or {})
        super().__init__(message, **params)

    def __reduce__(self):
        return _rebuild_entry_invalid, (type(self), self.message, self.errors, self.params)


def _rebuild_entry_invalid(cls, message, errors, params):
    return cls(message, errors, **params)
