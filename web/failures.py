"""Showing a stored failure reason in the reader's language.

The pipeline stores a failed record's reason as rendered English text (Document.error_message),
without the message id and parameters. To show it in Arabic, the text is matched against the
catalogue's message templates. A match is rendered again with the translated template and the
values read back from the English text. A reason that matches no template is shown as stored.
"""

import ast
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from babel.messages.pofile import read_po

from archive_api.i18n import LOCALE_DIR

logger = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"%\((\w+)\)([#0\- +]*\d*(?:\.\d+)?)([sdirfg])")


@dataclass(frozen=True)
class _Template:
    pattern: re.Pattern[str]
    conversions: dict[str, str]
    translation: str


def _pattern(msgid: str) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """Compile a message template into a regex with one named group per placeholder."""
    parts: list[str] = []
    conversions: dict[str, str] = {}
    cursor = 0
    for match in _PLACEHOLDER.finditer(msgid):
        name, _flags, conversion = match.groups()
        parts.append(re.escape(msgid[cursor : match.start()].replace("%%", "%")))
        # A name used twice must capture the same text, so its second use is a back-reference.
        parts.append(f"(?P={name})" if name in conversions else f"(?P<{name}>.+?)")
        conversions[name] = conversion
        cursor = match.end()
    parts.append(re.escape(msgid[cursor:].replace("%%", "%")))
    try:
        return re.compile("".join(parts), re.DOTALL), conversions
    except re.error:
        logger.warning("message template could not be turned into a pattern")
        return None


@lru_cache(maxsize=4)
def _templates(language: str) -> tuple[_Template, ...]:
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po_file.exists():
        return ()
    with po_file.open("rb") as source:
        catalog = read_po(source, locale=language)

    templates = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or not message.string or message.fuzzy:
            continue
        compiled = _pattern(message.id)
        if compiled is not None:
            templates.append(_Template(compiled[0], compiled[1], message.string))
    # Longer templates first, so that a specific message wins over a shorter general one.
    templates.sort(key=lambda template: len(template.pattern.pattern), reverse=True)
    return tuple(templates)


def _value(text: str, conversion: str):
    if conversion in "di":
        return int(text)
    if conversion in "fg":
        return float(text)
    if conversion == "r":
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
    return text


def translate_stored_message(message: str, language: str) -> str:
    """Return a stored English message in `language`, or unchanged when no template matches."""
    if not message or language == "en":
        return message
    for template in _templates(language):
        match = template.pattern.fullmatch(message)
        if match is None:
            continue
        try:
            values = {name: _value(match.group(name), kind) for name, kind in template.conversions.items()}
            return template.translation % values if values else template.translation
        except (ValueError, TypeError, KeyError):
            continue
    return message
