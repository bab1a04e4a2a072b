"""Applying to an announcement, withdrawing, and reading one's own applications.

submit_application and withdraw_application work in the caller's transaction, which must be a
write session (on SQLite its BEGIN IMMEDIATE serialises writers), and the caller commits. Both
lock the announcement row first, so a submission, a withdrawal and a staff change of the
window never interleave.

Rules:
- An application is accepted while the announcement is open at the server's current time:
  published, from the opening instant included to the closing instant excluded.
- One application per applicant and announcement (the unique constraint). Submitting again
  returns the existing application with its number, queues no second SMS, and works even
  after closing, so a retry after a timeout gets its response.
- A withdrawn application can be submitted again before closing. The same row comes back
  with the same number, a fresh snapshot and the then-current document versions, and the
  history shows both steps.
- The snapshot (JSON of profile_snapshot) and the linked document versions are written once
  per submission and never changed by later profile edits or uploads.
"""

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive_api.audit.service import record
from archive_api.errors import N_
from archive_api.timeutil import to_local, utcnow
from recruitment.announcements.models import Announcement
from recruitment.announcements.service import get_published
from recruitment.announcements.window import DISPLAY_FORMAT, STATE_OPEN, STATE_UPCOMING, window_state
from recruitment.applicants.models import Applicant, ApplicantDocumentVersion
from recruitment.applications.eligibility import Eligibility, eligibility_of, highest_degree
from recruitment.applications.errors import (
    ApplicationNotFound,
    ApplicationsClosed,
    NotEligible,
    WithdrawalClosed,
)
from recruitment.applications.models import (
    EVENT_RESUBMITTED,
    EVENT_SUBMITTED,
    EVENT_WITHDRAWN,
    STATUS_SUBMITTED,
    STATUS_WITHDRAWN,
    Application,
    ApplicationDocument,
    ApplicationEvent,
)
from recruitment.applications.numbering import LockedWindow, application_number, lock_announcement, take_sequence
from recruitment.notify.models import SmsMessage
from recruitment.notify.service import queue_sms
from search.analysis import analyze

logger = logging.getLogger(__name__)

ACTOR_APPLICANT = "applicant"
SMS_TEMPLATE = "application_received"
SMS_STAGE = "application"
# Job titles may have 300 characters; the SMS keeps the start, so it stays within a few parts.
SMS_TITLE_CHARACTERS = 80


@dataclass(frozen=True)
class Submission:
    """The result of a submit: `created` is False when the applicant had already applied."""

    application: Application
    created: bool
    sms: SmsMessage | None


@dataclass(frozen=True)
class Withdrawal:
    """The result of a withdrawal: `changed` is False when the application was already withdrawn."""

    application: Application
    changed: bool


# --- reading -------------------------------------------------------------------------------------


def own_application(session: Session, applicant: Applicant, application_id: int) -> Application:
    """Return one of the applicant's applications; another applicant's id is not found, like a missing one."""
    application = session.get(Application, application_id)
    if application is None or application.applicant_id != applicant.id:
        raise ApplicationNotFound(
            N_("Application %(id)s was not found among your applications; see My applications."), id=application_id
        )
    return application


def application_for(session: Session, applicant: Applicant, announcement_id: int) -> Application | None:
    """Return the applicant's application to an announcement, submitted or withdrawn, or None."""
    return session.scalar(
        select(Application).where(Application.announcement_id == announcement_id,
                                  Application.applicant_id == applicant.id)
    )


def applications_of(session: Session, applicant: Applicant) -> list[Application]:
    """Return the applicant's applications, the most recently submitted first."""
    return list(session.scalars(
        select(Application).where(Application.applicant_id == applicant.id)
        .order_by(Application.submitted_at.desc(), Application.id.desc())
    ))


def events_of(session: Session, application_ids: list[int]) -> dict[int, list[ApplicationEvent]]:
    """Return each application's history, oldest step first."""
    found: dict[int, list[ApplicationEvent]] = {application_id: [] for application_id in application_ids}
    if not application_ids:
        return found
    rows = session.scalars(
        select(ApplicationEvent).where(ApplicationEvent.application_id.in_(application_ids))
        .order_by(ApplicationEvent.at, ApplicationEvent.id)
    )
    for row in rows:
        found[row.application_id].append(row)
    return found


def linked_versions(session: Session, application_id: int) -> list[ApplicantDocumentVersion]:
    """Return the document versions the application uses, in the order they were linked."""
    return list(session.scalars(
        select(ApplicantDocumentVersion)
        .join(ApplicationDocument, ApplicationDocument.version_id == ApplicantDocumentVersion.id)
        .where(ApplicationDocument.application_id == application_id)
        .order_by(ApplicationDocument.id)
    ))


def snapshot_of(application: Application) -> dict[str, Any]:
    return json.loads(application.snapshot)


def moment_text(moment: datetime) -> str:
    """Return a naive UTC time as Palestine shows it, such as 2026-05-20 14:00, isolated left to right.

    The Unicode isolates (LRI, PDI) keep the date and the time in that order inside an Arabic
    sentence. Without them the bidirectional algorithm shows the time before the date.
    """
    return f"\u2066{to_local(moment).strftime(DISPLAY_FORMAT)}\u2069"


def job_title(announcement: Announcement, language: str) -> str:
    if language == "en" and announcement.title_en:
        return announcement.title_en
    return announcement.title_ar


def sms_job_title(announcement: Announcement, language: str) -> str:
    """Return the job title for an SMS, cut with an ellipsis to SMS_TITLE_CHARACTERS."""
    title = job_title(announcement, language)
    if len(title) > SMS_TITLE_CHARACTERS:
        return title[:SMS_TITLE_CHARACTERS].rstrip() + "…"
    return title


# --- submitting ----------------------------------------------------------------------------------


def submit_application(
    session: Session, applicant: Applicant, announcement_id: int, now: datetime | None = None,
    today: date | None = None,
) -> Submission:
    """Apply to a published announcement with the current profile and documents.

    Raises NotFound for a draft or unknown announcement, ApplicationsClosed outside the
    window, and NotEligible (with every unmet requirement) when the profile falls short.
    `now` (naive UTC) and `today` (council-local) default to the current time.
    """
    now = now or utcnow()
    # Experience that continues is counted up to the day of submission, in council time.
    today = today or to_local(now).date()
    announcement = get_published(session, announcement_id)
    repeated = _repeated_submit(session, applicant, announcement)
    if repeated is not None:
        return repeated

    # Reading the profile is most of the work, so it happens before the lock, which then
    # covers only the checks and the writes.
    eligibility, snapshot, versions = eligibility_of(session, applicant, announcement, today)
    window = lock_announcement(session, announcement.id)
    repeated = _repeated_submit(session, applicant, announcement)
    if repeated is not None:
        return repeated

    check_window(announcement, window, now)
    _require_eligible(announcement, eligibility)
    existing = application_for(session, applicant, announcement.id)
    if existing is not None:
        return _resubmit(session, applicant, announcement, existing, snapshot, versions, now)
    return _create(session, applicant, announcement, window, snapshot, versions, now)


def _repeated_submit(session: Session, applicant: Applicant, announcement: Announcement) -> Submission | None:
    """Return the existing submitted application as the result of a repeated submit, else None.

    The row is read again even when the session already holds it, so a check under the lock
    sees a resubmission that another request committed meanwhile.
    """
    existing = session.scalar(
        select(Application)
        .where(Application.announcement_id == announcement.id, Application.applicant_id == applicant.id)
        .execution_options(populate_existing=True)
    )
    if existing is None or existing.status != STATUS_SUBMITTED:
        return None
    logger.info("application submitted again, returning the existing one id=%s", existing.id)
    return Submission(existing, created=False, sms=None)


def check_window(announcement: Announcement, window: LockedWindow, now: datetime) -> None:
    """Raise ApplicationsClosed unless the announcement accepts applications at `now`."""
    state = window_state(window.status, window.opens_at, window.closes_at, now)
    if state == STATE_OPEN:
        return
    if state == STATE_UPCOMING:
        raise ApplicationsClosed(
            N_("Applications for announcement %(number)s open on %(opens)s, Palestine time; apply from then on."),
            number=announcement.number,
            opens=moment_text(window.opens_at),
        )
    raise ApplicationsClosed(
        N_("Applications for announcement %(number)s closed on %(closes)s, Palestine time, so no new application "
           "can be submitted; look for open jobs on the jobs page."),
        number=announcement.number,
        closes=moment_text(_closed_at(announcement, window)),
    )


def _closed_at(announcement: Announcement, window: LockedWindow) -> datetime:
    """Return when applications stopped: the closing time, or earlier when staff closed the announcement."""
    if announcement.closed_at is not None and announcement.closed_at < window.closes_at:
        return announcement.closed_at
    return window.closes_at


def _require_eligible(announcement: Announcement, eligibility: Eligibility) -> None:
    if eligibility.ok:
        return
    raise NotEligible(
        N_("Your profile does not meet the requirements of announcement %(number)s; see each reason below, "
           "complete your profile or documents, then apply again."),
        eligibility.unmet,
        number=announcement.number,
    )


def _frozen_fields(snapshot: dict[str, Any], number: str) -> dict[str, Any]:
    """Return the columns written from the snapshot: its JSON, the highest degree and the search words."""
    personal = snapshot["personal"]
    words = " ".join(analyze(personal["full_name"]))
    return {
        "snapshot": json.dumps(snapshot, ensure_ascii=False, sort_keys=True),
        "degree_level": highest_degree(snapshot["education"]),
        "search_text": f" {words} {personal['national_id']} {number} ",
    }


def _link_versions(session: Session, application: Application, versions: list[ApplicantDocumentVersion]) -> None:
    for version in versions:
        session.add(ApplicationDocument(application_id=application.id, version_id=version.id))
    session.flush()


def _create(session, applicant, announcement, window, snapshot, versions, now) -> Submission:
    sequence = take_sequence(session, announcement.id, window)
    number = application_number(announcement.number, sequence, announcement.id)
    application = Application(
        number=number, announcement_id=announcement.id, applicant_id=applicant.id, status=STATUS_SUBMITTED,
        submitted_at=now, **_frozen_fields(snapshot, number),
    )
    try:
        # The lock makes a duplicate impossible; the unique constraint stays as the last guard.
        with session.begin_nested():
            session.add(application)
            session.flush()
    except IntegrityError:
        existing = application_for(session, applicant, announcement.id)
        if existing is None:
            raise
        logger.warning("application insert hit the unique constraint, returning the existing id=%s", existing.id)
        return Submission(existing, created=False, sms=None)

    _link_versions(session, application, versions)
    return _record_submission(session, applicant, announcement, application, EVENT_SUBMITTED, now)


def _resubmit(session, applicant, announcement, application, snapshot, versions, now) -> Submission:
    for name, value in _frozen_fields(snapshot, application.number).items():
        setattr(application, name, value)
    application.status = STATUS_SUBMITTED
    application.submitted_at = now
    application.withdrawn_at = None
    session.execute(delete(ApplicationDocument).where(ApplicationDocument.application_id == application.id))
    _link_versions(session, application, versions)
    return _record_submission(session, applicant, announcement, application, EVENT_RESUBMITTED, now)


def _record_submission(session, applicant, announcement, application, event, now) -> Submission:
    """Add the history step, the audit entry and the confirmation SMS of a submission."""
    session.add(ApplicationEvent(application_id=application.id, at=now, status=event, actor=ACTOR_APPLICANT))
    record(session, None, "application_" + event, "application", application.id,
           {"number": application.number, "announcement": announcement.number},
           actor_label=f"applicant:{applicant.id}")

    title = sms_job_title(announcement, applicant.language)
    sms = queue_sms(session, applicant, SMS_TEMPLATE, {"job_title": title, "number": application.number},
                    SMS_STAGE, application=application)
    logger.info("application %s id=%s announcement=%s applicant=%s", event, application.id, announcement.id,
                applicant.id)
    return Submission(application, created=True, sms=sms)


# --- withdrawing ---------------------------------------------------------------------------------


def withdraw_application(
    session: Session, applicant: Applicant, application_id: int, now: datetime | None = None
) -> Withdrawal:
    """Withdraw one of the applicant's applications before the announcement closes.

    Withdrawing an application that is already withdrawn changes nothing. Raises
    ApplicationNotFound for another applicant's id and WithdrawalClosed once the window ended.
    """
    now = now or utcnow()
    application = own_application(session, applicant, application_id)
    announcement = application.announcement
    window = lock_announcement(session, announcement.id)
    session.refresh(application)

    if application.status == STATUS_WITHDRAWN:
        return Withdrawal(application, changed=False)
    if window_state(window.status, window.opens_at, window.closes_at, now) != STATE_OPEN:
        raise WithdrawalClosed(
            N_("Application %(number)s can no longer be withdrawn, because applications for this job closed on "
               "%(closes)s, Palestine time."),
            number=application.number, closes=moment_text(_closed_at(announcement, window)),
        )

    application.status = STATUS_WITHDRAWN
    application.withdrawn_at = now
    session.add(ApplicationEvent(application_id=application.id, at=now, status=EVENT_WITHDRAWN,
                                 actor=ACTOR_APPLICANT))
    record(session, None, "application_withdrawn", "application", application.id,
           {"number": application.number, "announcement": announcement.number},
           actor_label=f"applicant:{applicant.id}")
    session.flush()
    logger.info("application withdrawn id=%s applicant=%s", application.id, applicant.id)
    return Withdrawal(application, changed=True)
