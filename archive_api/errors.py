"""Base class for domain errors that users see.

A domain error carries an English message template (a gettext msgid) and its parameters, so the
web layer can show it translated and the CLI can print it as is. Each service defines its own
subclasses beside its code.
"""

from typing import Any


def N_(message: str) -> str:
    """Mark a message for the translation catalogue without translating it here."""
    return message


class DiwanError(Exception):
    """A failure the user can act on: the message names the value and what to do next."""

    http_status = 400
    code = "invalid_request"

    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(self.render())

    def render(self, translate=None) -> str:
        template = translate(self.message) if translate else self.message
        try:
            return template % self.params
        except (KeyError, ValueError, TypeError):
            return self.message % self.params if self.params else self.message


class NotFound(DiwanError):
    http_status = 404
    code = "not_found"


class PermissionDenied(DiwanError):
    http_status = 403
    code = "forbidden"


class Conflict(DiwanError):
    http_status = 409
    code = "conflict"
