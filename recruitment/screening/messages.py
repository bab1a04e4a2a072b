"""The SMS that tell applicants their screening outcome and their session, queued in the caller's transaction.

Rejections carry the reason and the committee's notes. The notes are cut, with an ellipsis, so
that the whole message fits in the outbox's MAX_PARTS parts (recruitment.notify.service). The
reason label and the job title have length limits of their own, so they always fit.
"""

import logging

from sqlalchemy.orm import Session

from archive_api.errors import N_
from archive_api.timeutil import to_local
from recruitment.applicants.models import Applicant
from recruitment.applications.models import Application
from recruitment.applications.service import sms_job_title
from recruitment.notify.models import SmsMessage
from recruitment.notify.parts import sms_size
from recruitment.notify.service import MAX_PARTS, queue_sms
from recruitment.notify.template_store import effective_template
from recruitment.notify.templates import ENGLISH, TemplateError, placeholders_of, render_template
from recruitment.screening.models import KIND_EXAM, OUTCOME_ACCEPTED, AssessmentSession, ScreeningDecision

logger = logging.getLogger(__name__)

PASSED_TEMPLATE = "screening_passed"
NOT_PASSED_TEMPLATE = "screening_not_passed"
SCREENING_STAGE = "screening"
SESSION_TEMPLATES = {"exam": "exam_scheduled", "interview": "interview_scheduled"}
# Written in place of empty notes, because every placeholder of a template needs a value.
NO_NOTES = {"ar": "لا توجد", ENGLISH: "none"}
ELLIPSIS = "…"


def _language(applicant: Applicant) -> str:
    return ENGLISH if applicant.language == ENGLISH else "ar"


def require_reason_placeholders(session: Session) -> None:
    """Raise TemplateError when staff edited the rejection SMS so that it lost {reason} or {notes}.

    Every rejected applicant must read the reason, so screening is not closed with such a text.
    """
    edited = effective_template(session, NOT_PASSED_TEMPLATE)
    for text in (edited.arabic, edited.english):
        missing = {"reason", "notes"} - placeholders_of(text)
        if missing:
            raise TemplateError(
                N_("The edited text of SMS %(template)s lacks %(names)s, so rejected applicants would not read "
                   "the reason; restore the built-in text or add them on the SMS templates page."),
                template=NOT_PASSED_TEMPLATE, names=", ".join(f"{{{name}}}" for name in sorted(missing)),
            )


def fitted_notes(session: Session, params: dict, notes: str, language: str) -> str:
    """Return the longest start of the notes (with an ellipsis when cut) that keeps the SMS within MAX_PARTS."""
    texts = effective_template(session, NOT_PASSED_TEMPLATE)

    def fits(candidate: str) -> bool:
        body = render_template(NOT_PASSED_TEMPLATE, {**params, "notes": candidate}, language, texts)
        return sms_size(body).parts <= MAX_PARTS

    if fits(notes):
        return notes
    low, high = 0, len(notes)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(notes[:middle].rstrip() + ELLIPSIS):
            low = middle
        else:
            high = middle - 1
    return notes[:low].rstrip() + ELLIPSIS


def queue_outcome(session: Session, application: Application, decision: ScreeningDecision) -> SmsMessage:
    """Queue the applicant's screening outcome SMS: passed, or not passed with the reason and notes."""
    applicant = application.applicant
    language = _language(applicant)
    params = {"number": application.number, "job_title": sms_job_title(application.announcement, language)}
    if decision.outcome == OUTCOME_ACCEPTED:
        return queue_sms(session, applicant, PASSED_TEMPLATE, params, SCREENING_STAGE, application=application)

    params["reason"] = decision.reason.label(language)
    notes = " ".join(decision.notes.split()) or NO_NOTES[language]
    params["notes"] = fitted_notes(session, params, notes, language)
    return queue_sms(session, applicant, NOT_PASSED_TEMPLATE, params, SCREENING_STAGE, application=application)


def queue_session_notice(session: Session, application: Application, sitting: AssessmentSession) -> SmsMessage:
    """Queue the SMS with the date, time and place of the applicant's exam or interview."""
    applicant = application.applicant
    language = _language(applicant)
    local = to_local(sitting.starts_at)
    params = {
        "number": application.number,
        "job_title": sms_job_title(application.announcement, language),
        "date": local.strftime("%Y-%m-%d"),
        "time": local.strftime("%H:%M"),
        "place": sitting.place,
    }
    stage = "exam" if sitting.kind == KIND_EXAM else "interview"
    return queue_sms(session, applicant, SESSION_TEMPLATES[sitting.kind], params, stage, application=application)
