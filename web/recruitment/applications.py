"""Applying to a job and withdrawing an application, for a signed-in applicant.

GET /jobs/{id}/apply explains every requirement before anything is submitted; POST submits.
The server checks the window and the requirements again on every POST, so a page left open
past the closing time, or a profile changed in another tab, is refused with the reason.
Withdrawing has its own confirmation page before the POST that withdraws.
"""

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from archive_api.api.deps import ArchiveDep
from archive_api.errors import DiwanError
from archive_api.timeutil import utcnow
from recruitment.announcements.models import Announcement
from recruitment.announcements.service import get_published
from recruitment.applicants.models import Applicant
from recruitment.applications.eligibility import eligibility_of
from recruitment.applications.errors import ApplicationsClosed, NotEligible, WithdrawalClosed
from recruitment.applications.labels import STATUS_LABELS
from recruitment.applications.models import STATUS_SUBMITTED
from recruitment.applications.service import (
    application_for,
    own_application,
    submit_application,
    withdraw_application,
)
from web.recruitment.applicants_deps import CurrentApplicant, render_applicant
from web.recruitment.public_views import NAMES, view_of
from web.redirects import see_other
from web.rendering import language_of, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

APPLY_TEMPLATE = "recruitment/applications/apply.html"
WITHDRAW_TEMPLATE = "recruitment/applications/withdraw.html"
DASHBOARD_PATH = "/applicant/applications"


def now_utc():
    """Return the current naive UTC time; tests replace it to stand at a window's edge."""
    return utcnow()


def _apply_page(request: Request, session: Session, applicant: Applicant, announcement: Announcement,
                error: DiwanError | None = None, status_code: int = 200) -> Response:
    """Render the requirements checklist, the documents that would be attached, and the submit form."""
    view = view_of(announcement, now_utc())
    eligibility, _snapshot, versions = eligibility_of(session, applicant, announcement)
    translate = translator(request)
    context = {
        "view": view,
        "names": NAMES,
        "title": view.title(language_of(request)),
        "checks": [(check.met, check.render(translate)) for check in eligibility.checks],
        "eligible": eligibility.ok,
        "versions": versions,
        "existing": application_for(session, applicant, announcement.id),
        "status_labels": STATUS_LABELS,
        "error": error.render(translate) if error is not None else "",
        "submitted_status": STATUS_SUBMITTED,
    }
    return render_applicant(request, APPLY_TEMPLATE, context, status_code)


@router.get("/jobs/{announcement_id:int}/apply")
def apply_page(request: Request, announcement_id: int, applicant: CurrentApplicant, archive: ArchiveDep) -> Response:
    with archive.db.session(write=False) as session:
        announcement = get_published(session, announcement_id)
        return _apply_page(request, session, session.get(Applicant, applicant.id), announcement)


@router.post("/jobs/{announcement_id:int}/apply")
def apply(request: Request, announcement_id: int, applicant: CurrentApplicant, archive: ArchiveDep) -> Response:
    """Submit, or return the application already made; a refusal shows the page with its reason."""
    try:
        with archive.db.session() as session:
            submission = submit_application(session, session.get(Applicant, applicant.id), announcement_id,
                                            now=now_utc())
            application_id, created = submission.application.id, submission.created
    except (ApplicationsClosed, NotEligible) as error:
        logger.info("application refused code=%s announcement=%s applicant=%s", error.code, announcement_id,
                    applicant.id)
        with archive.db.session(write=False) as session:
            announcement = get_published(session, announcement_id)
            return _apply_page(request, session, session.get(Applicant, applicant.id), announcement, error,
                               error.http_status)

    done = "submitted" if created else "already"
    return see_other(f"{DASHBOARD_PATH}/{application_id}?done={done}")


def _withdraw_page(request: Request, archive, applicant: Applicant, application_id: int,
                   error: DiwanError | None = None, status_code: int = 200) -> Response:
    with archive.db.session(write=False) as session:
        application = own_application(session, applicant, application_id)
        view = view_of(application.announcement, now_utc())
        context = {
            "application": application,
            "view": view,
            "title": view.title(language_of(request)),
            "status_labels": STATUS_LABELS,
            "error": error.render(translator(request)) if error is not None else "",
            "submitted_status": STATUS_SUBMITTED,
        }
        return render_applicant(request, WITHDRAW_TEMPLATE, context, status_code)


@router.get(DASHBOARD_PATH + "/{application_id:int}/withdraw")
def withdraw_page(request: Request, application_id: int, applicant: CurrentApplicant, archive: ArchiveDep) -> Response:
    """Ask for confirmation; nothing changes until the form on this page is sent."""
    return _withdraw_page(request, archive, applicant, application_id)


@router.post(DASHBOARD_PATH + "/{application_id:int}/withdraw")
def withdraw(request: Request, application_id: int, applicant: CurrentApplicant, archive: ArchiveDep) -> Response:
    try:
        with archive.db.session() as session:
            withdraw_application(session, session.get(Applicant, applicant.id), application_id, now=now_utc())
    except WithdrawalClosed as error:
        return _withdraw_page(request, archive, applicant, application_id, error, error.http_status)
    return see_other(f"{DASHBOARD_PATH}/{application_id}?done=withdrawn")
