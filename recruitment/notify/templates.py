"""The catalogue of SMS texts: one Arabic and one English text per template, with named placeholders.

Placeholders are written {name}. Both texts of a template must use the same placeholders,
and rendering fails with MissingPlaceholder rather than send a half-filled SMS. SMS texts are
kept here rather than in the gettext catalogue because their length decides what each
message costs, so both variants are reviewed together. Staff may replace the texts of a template
(recruitment.notify.template_store); these built-in texts are sent while no edit is stored.
"""

import logging
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from archive_api.errors import N_, DiwanError

logger = logging.getLogger(__name__)

ARABIC = "ar"
ENGLISH = "en"
# Runs of six digits in a secret template's text are one-time codes; lists show them masked.
_CODE_PATTERN = re.compile(r"(?<!\d)\d{6}(?!\d)")
_MASK = "••••••"


class TemplateError(DiwanError):
    """A template key or its parameters that a caller got wrong; nothing is queued."""

    http_status = 500
    code = "sms_template_error"


class UnknownTemplate(TemplateError):
    code = "unknown_sms_template"


class MissingPlaceholder(TemplateError):
    code = "sms_missing_placeholder"


@dataclass(frozen=True)
class SmsTemplate:
    """One message of the catalogue. `secret` marks a text that carries a one-time code."""

    key: str
    arabic: str
    english: str
    secret: bool = False

    @property
    def placeholders(self) -> frozenset[str]:
        return placeholders_of(self.arabic)

    def text(self, language: str) -> str:
        return self.english if language == ENGLISH else self.arabic


def placeholders_of(text: str) -> frozenset[str]:
    """Return the names of the {name} placeholders in a template text."""
    return frozenset(name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name)


TEMPLATES: dict[str, SmsTemplate] = {
    template.key: template
    for template in (
        SmsTemplate(
            "sign_up_code",
            "رمز تأكيد جوالك في ديوان: {code}\nصالح حتى الساعة {expires}. لا تعطه لأحد.",
            "Diwan mobile confirmation code: {code}\nValid until {expires}. Do not share it.",
            secret=True,
        ),
        SmsTemplate(
            "password_reset_code",
            "رمز تغيير كلمة المرور في ديوان: {code}\nصالح حتى {expires}. لا تعطه لأحد.",
            "Diwan password reset code: {code}\nValid until {expires}. If you did not ask for it, ignore this SMS.",
            secret=True,
        ),
        SmsTemplate(
            "password_changed",
            "تغيّرت كلمة مرور حسابك في ديوان. إن لم تغيّرها أنت فاتصل بنا فوراً.",
            "The password of your Diwan account was changed. If this was not you, contact us at once.",
        ),
        SmsTemplate(
            "application_received",
            "وصل طلبك لوظيفة {job_title}، ورقمه {number}. احتفظ بالرقم لمتابعة طلبك في ديوان.",
            "Your application for {job_title} was received; its number is {number}. Keep it to follow "
            "your application on Diwan.",
        ),
        SmsTemplate(
            "screening_passed",
            "طلبك رقم {number} لوظيفة {job_title} اجتاز الفرز الأولي. سنرسل لك موعد الامتحان برسالة.",
            "Your application {number} for {job_title} passed the first screening. We will send you the "
            "exam date by SMS.",
        ),
        SmsTemplate(
            "screening_not_passed",
            "نأسف، طلبك رقم {number} لوظيفة {job_title} لم يجتز الفرز الأولي. السبب: {reason}. "
            "ملاحظات اللجنة: {notes}",
            "We are sorry: your application {number} for {job_title} did not pass the first screening. "
            "Reason: {reason}. Committee notes: {notes}",
        ),
        SmsTemplate(
            "exam_scheduled",
            "امتحان وظيفة {job_title}: {date} الساعة {time} في {place}. أحضر بطاقة الهوية ورقم الطلب {number}.",
            "Exam for {job_title}: {date} at {time}, {place}. Bring your identity card and application "
            "number {number}.",
        ),
        SmsTemplate(
            "interview_scheduled",
            "مقابلة وظيفة {job_title}: {date} الساعة {time} في {place}. أحضر بطاقة الهوية ورقم الطلب {number}.",
            "Interview for {job_title}: {date} at {time}, {place}. Bring your identity card and application "
            "number {number}.",
        ),
    )
}

# Values that previews fill in, in each language, so staff see a message of realistic length.
SAMPLE_VALUES: dict[str, dict[str, str]] = {
    ARABIC: {
        "code": "493817",
        "expires": "14:35",
        "job_title": "محاسب في وزارة المالية",
        "number": "2026-147-00023",
        "date": "2026-03-14",
        "time": "09:30",
        "place": "قاعة ديوان الموظفين العام في رام الله",
        "reason": "الخبرة غير كافية",
        "notes": "لم تُرفق شهادة خبرة مصدّقة من جهة العمل.",
    },
    ENGLISH: {
        "code": "493817",
        "expires": "14:35",
        "job_title": "Accountant at the Ministry of Finance",
        "number": "2026-147-00023",
        "date": "2026-03-14",
        "time": "09:30",
        "place": "the General Personnel Council hall in Ramallah",
        "reason": "Insufficient experience",
        "notes": "No certified experience certificate from the employer was attached.",
    },
}


def get_template(key: str) -> SmsTemplate:
    template = TEMPLATES.get(key)
    if template is None:
        raise UnknownTemplate(
            N_("SMS template %(template)s does not exist; use one of %(known)s."),
            template=key, known=", ".join(sorted(TEMPLATES)),
        )
    return template


def render_template(key: str, params: Mapping[str, Any], language: str, texts: SmsTemplate | None = None) -> str:
    """Fill the template's text in `language` (Arabic unless "en"); raises MissingPlaceholder.

    `texts` replaces the built-in texts with edited ones of the same template. Every placeholder
    needs a non-empty value, and a parameter the template does not use is an error too, because
    it usually means a misspelt name.
    """
    template = texts or get_template(key)
    needed = get_template(key).placeholders
    given = {name for name, value in params.items() if value is not None and str(value).strip()}

    missing = sorted(needed - given)
    if missing:
        raise MissingPlaceholder(
            N_("SMS template %(template)s needs a value for %(names)s; nothing was queued."),
            template=key, names=", ".join(missing),
        )
    unused = sorted(set(params) - needed)
    if unused:
        raise MissingPlaceholder(
            N_("SMS template %(template)s has no placeholder %(names)s; check the parameter names."),
            template=key, names=", ".join(unused),
        )
    return template.text(language).format_map({name: str(params[name]).strip() for name in needed})


def masked_text(key: str, body: str) -> str:
    """Return the body with one-time codes hidden when the template carries one, else the body."""
    template = TEMPLATES.get(key)
    if template is None or not template.secret:
        return body
    return _CODE_PATTERN.sub(_MASK, body)
