"""Submitted form values and their translated errors, for re-rendering a form as it was typed."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from archive_api.errors import DiwanError

Translate = Callable[[str], str]


@dataclass
class FormState:
    """The values a user typed, errors by field name, and errors about the form as a whole."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_mapping(cls, source: Mapping, names: tuple[str, ...]) -> "FormState":
        """Keep the named text fields of a submitted form, stripped of surrounding spaces."""
        values = {}
        for name in names:
            value = source.get(name)
            values[name] = value.strip() if isinstance(value, str) else ""
        return cls(values=values)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problems

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def add(self, name: str, message: str) -> None:
        """Attach a message to a field; the first message per field is the one shown."""
        self.errors.setdefault(name, message)

    def add_error(
        self,
        error: DiwanError,
        translate: Translate,
        fields: Mapping[str, str] | None = None,
        default: str | None = None,
    ) -> None:
        """Attach a domain error to the field named by its first parameter found in `fields`.

        `fields` maps a message parameter (such as `username`) to a form field. An error with
        none of those parameters goes to the `default` field, or above the form without one.
        """
        message = error.render(translate)
        for parameter, field_name in (fields or {}).items():
            if parameter in error.params:
                self.add(field_name, message)
                return
        if default is not None:
            self.add(default, message)
        else:
            self.problems.append(message)


async def posted_form(request: Request) -> FormData:
    """Return the submitted form, read on the event loop so the handler itself can be synchronous.

    A synchronous handler runs in the thread pool. There, waiting for SQLite's write lock leaves
    the event loop free for the request that holds the lock to finish and release it.
    """
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]
