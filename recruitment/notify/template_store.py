"""Staff edits of the SMS templates: checked, stored in the database, audited, and previewed.

An edit replaces both texts of one built-in template and must use exactly the built-in
placeholders, because the code that queues the message passes those values and no others. So a
stored edit can never produce a half-filled SMS: rendering checks the values in the same way as
for the built-in texts. Removing the edit brings the built-in texts back.
"""

import logging
import string
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_api.accounts.models import User
from archive_api.audit.service import record
from archive_api.errors import N_, DiwanError, Term
from archive_api.timeutil import utcnow
from recruitment.notify.models import SmsTemplateText
from recruitment.notify.parts import SmsSize, sms_size
from recruitment.notify.templates import (
    ARABIC,
    ENGLISH,
    SAMPLE_VALUES,
    TEMPLATES,
    SmsTemplate,
    get_template,
    render_template,
)

logger = logging.getLogger(__name__)

MAX_TEXT_CHARACTERS = 600
# The same limit as queue_sms: each part is charged as one SMS.
MAX_PREVIEW_PARTS = 6
FIELDS = {ARABIC: "arabic", ENGLISH: "english"}
CACHE_KEY = "sms_templates"
FIELD_NAMES = {ARABIC: Term(N_("The Arabic text")), ENGLISH: Term(N_("The English text"))}


class InvalidTemplateText(DiwanError):
    """An edited template that cannot be saved; field_errors contains one error per text field."""

    http_status = 422
    code = "invalid_sms_template_text"

    def __init__(self, message: str, field_errors: dict[str, DiwanError] | None = None, **params) -> None:
        super().__init__(message, **params)
        self.field_errors = field_errors or {}


@dataclass(frozen=True)
class VariantPreview:
    language: str
    text: str  # filled with the sample values; empty when the text cannot be filled
    size: SmsSize | None
    error: DiwanError | None


def effective_template(session: Session, key: str) -> SmsTemplate:
    """Return the template with the staff's texts when an edit is stored, else the built-in one.

    The result is cached for the rest of the session, so queueing thousands of messages in one
    transaction reads each template once.
    """
    built_in = get_template(key)
    cache = session.info.setdefault(CACHE_KEY, {})
    if key not in cache:
        edited = session.get(SmsTemplateText, key)
        cache[key] = built_in if edited is None else SmsTemplate(key, edited.arabic, edited.english,
                                                                 secret=built_in.secret)
    return cache[key]


def edits_by_key(session: Session) -> dict[str, SmsTemplateText]:
    return {row.key: row for row in session.scalars(select(SmsTemplateText))}


def check_text(key: str, language: str, text: str) -> DiwanError | None:
    """Return what is wrong with one variant of an edited template, or None when it can be saved."""
    field = FIELD_NAMES[language]
    if not text.strip():
        return InvalidTemplateText(N_("%(field)s is empty; write the message."), field=field)
    if len(text) > MAX_TEXT_CHARACTERS:
        return InvalidTemplateText(
            N_("%(field)s has %(length)d characters, more than %(maximum)d; shorten it."),
            field=field, length=len(text), maximum=MAX_TEXT_CHARACTERS,
        )

    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return InvalidTemplateText(
            N_("%(field)s has a { or } that does not close; write placeholders as {name}, such as {number}."),
            field=field,
        )
    used = set()
    for _literal, name, spec, conversion in fields:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            return InvalidTemplateText(
                N_("%(field)s has the placeholder {%(name)s}; write placeholders as a plain name in braces, "
                   "such as {number}."),
                field=field, name=name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""),
            )
        used.add(name)
    return _placeholder_problem(key, field, used)


def _placeholder_problem(key: str, field: Term, used: set[str]) -> DiwanError | None:
    needed = get_template(key).placeholders
    known = ", ".join(f"{{{name}}}" for name in sorted(needed)) or "—"
    unknown = sorted(used - needed)
    if unknown:
        return InvalidTemplateText(
            N_("%(field)s uses %(names)s, which this message does not have; use only %(known)s."),
            field=field, names=", ".join(f"{{{name}}}" for name in unknown), known=known,
        )
    missing = sorted(needed - used)
    if missing:
        return InvalidTemplateText(
            N_("%(field)s lacks %(names)s; every text of this message must contain %(known)s."),
            field=field, names=", ".join(f"{{{name}}}" for name in missing), known=known,
        )
    return None


def preview(key: str, arabic: str, english: str) -> list[VariantPreview]:
    """Fill both texts with the sample values and size them; a text with an error has no preview."""
    built_in = get_template(key)
    texts = SmsTemplate(key, arabic, english, secret=built_in.secret)
    previews = []
    for language, text in ((ARABIC, arabic), (ENGLISH, english)):
        error = check_text(key, language, text)
        if error is not None:
            previews.append(VariantPreview(language, "", None, error))
            continue
        values = {name: SAMPLE_VALUES[language][name] for name in built_in.placeholders}
        body = render_template(key, values, language, texts)
        size = sms_size(body)
        if size.parts > MAX_PREVIEW_PARTS:
            error = InvalidTemplateText(
                N_("%(field)s is sent in %(parts)d parts with the sample values, more than %(maximum)d; "
                   "shorten it."),
                field=FIELD_NAMES[language], parts=size.parts, maximum=MAX_PREVIEW_PARTS,
            )
        previews.append(VariantPreview(language, body, size, error))
    return previews


def save_template(session: Session, user: User, key: str, arabic: str, english: str) -> SmsTemplateText:
    """Store the staff's texts for a template, audited with the texts they replace.

    Raises InvalidTemplateText with an error per field when a text cannot be sent as it is.
    """
    get_template(key)
    arabic, english = arabic.strip(), english.strip()
    errors = {FIELDS[item.language]: item.error for item in preview(key, arabic, english) if item.error}
    if errors:
        raise InvalidTemplateText(N_("The template was not saved; correct the texts marked below."), errors)

    before = effective_template(session, key)
    row = session.get(SmsTemplateText, key)
    if row is None:
        row = SmsTemplateText(key=key, arabic=arabic, english=english, updated_by=user.username)
        session.add(row)
    else:
        row.arabic, row.english, row.updated_by, row.updated_at = arabic, english, user.username, utcnow()

    session.info.pop(CACHE_KEY, None)
    record(session, user, "sms_template_edit", "sms_template", key,
           {"arabic": {"before": before.arabic, "after": arabic},
            "english": {"before": before.english, "after": english}})
    session.flush()
    logger.info("sms template edited key=%s user=%s", key, user.id)
    return row


def reset_template(session: Session, user: User, key: str) -> bool:
    """Remove the staff's texts so the built-in ones are sent again; returns False when none were stored."""
    get_template(key)
    row = session.get(SmsTemplateText, key)
    if row is None:
        return False

    built_in = TEMPLATES[key]
    session.info.pop(CACHE_KEY, None)
    record(session, user, "sms_template_reset", "sms_template", key,
           {"arabic": {"before": row.arabic, "after": built_in.arabic},
            "english": {"before": row.english, "after": built_in.english}})
    session.delete(row)
    session.flush()
    logger.info("sms template reset key=%s user=%s", key, user.id)
    return True
