"""Base class for domain errors that users see.

A domain error carries an English message template (a gettext msgid) and its parameters, so the
web layer can show it translated and the CLI can print it as is. Each service defines its own
subclasses beside its code.
"""

import json
from typing import Any


def N_(message: str) -> str:
    """Mark a message for the translation catalogue without translating it here."""
    return message


class Term(str):
    """A parameter value that is itself a catalogue message, translated with the message around it.

    Mark it with N_ where it is written, for example Term(N_("plain text")).
    """


class DiwanError(Exception):
    """A failure the user can act on: the message names the value and what to do next."""

    http_status = 400
    code = "invalid_request"

    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(self.render())

    def render(self, translate=None) -> str:
        return render_message(self.message, self.params, translate)

    def __reduce__(self):
        # Pickle the template and its parameters, so an error raised in a worker or intake
        # process arrives translatable.
        return _rebuild_error, (type(self), self.message, self.params)

    def to_json(self) -> str:
        """Serialise message and parameters, so the reason can be shown later in any language."""
        params = {name: {"term": value} if isinstance(value, Term) else value for name, value in self.params.items()}
        return json.dumps({"message": self.message, "params": params}, ensure_ascii=False, default=str)


def _rebuild_error(cls: type["DiwanError"], message: str, params: dict[str, Any]) -> "DiwanError":
    return cls(message, **params)


def render_message(message: str, params: dict[str, Any], translate=None) -> str:
    """Fill a message template, translating the template and its Term parameters when asked."""
    if translate is not None:
        params = {name: translate(value) if isinstance(value, Term) else value for name, value in params.items()}
    template = translate(message) if translate else message
    try:
        return template % params if params else template
    except (KeyError, ValueError, TypeError):
        # A translation with a broken placeholder must not hide the error itself.
        return message % params if params else message


def render_stored(stored: str | None, fallback: str, translate=None) -> str:
    """Render a reason saved by DiwanError.to_json, or the fallback text when none was saved."""
    if not stored:
        return fallback
    data = json.loads(stored)
    params = {
        name: Term(value["term"]) if isinstance(value, dict) and "term" in value else value
        for name, value in data.get("params", {}).items()
    }
    return render_message(data["message"], params, translate)


class NotFound(DiwanError):
    http_status = 404
    code = "not_found"


class PermissionDenied(DiwanError):
    http_status = 403
    code = "forbidden"


class Conflict(DiwanError):
    http_status = 409
    code = "conflict"
