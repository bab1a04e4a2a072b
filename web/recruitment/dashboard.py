"""The applicant's dashboard: their applications with status and history, documents, messages, open jobs.

Each application also has its own page with the frozen profile and the exact document
versions it uses. Another applicant's application id gets the same 404 page as a missing one.
"""

import logging
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from archive_api.api.deps import ArchiveDep
from archive_api.errors import N_
from recruitment.announcements.labels import DEGREE_NAMES, DOCUMENT_KIND_NAMES
from recruitment.announcements.service import AnnouncementFilters, list_announcements
from recruitment.announcements.window import STATE_OPEN
from recruitment.applicants.documents import current_versions
from recruitment.applicants.models import Applicant
from recruitment.applications.labels import EVENT_LABELS, STATUS_LABELS
from recruitment.applications.models import STATUS_SUBMITTED, STATUS_WITHDRAWN, Application, ApplicationEvent
from recruitment.applications.service import (
    applications_of,
    events_of,
    linked_versions,
    own_application,
    snapshot_of,
)
from recruitment.notify.labels import TEMPLATE_LABELS
from recruitment.notify.service import messages_of
from recruitment.notify.templates import masked_text
from recruitment.screening.outcomes import ApplicantOutcome, applicant_outcomes, visible_events
from web.recruitment import applications as apply_pages
from web.recruitment.applicants_deps import CurrentApplicant, render_applicant
from web.recruitment.public_views import NAMES, AnnouncementView, view_of

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

OPEN_JOBS_SHOWN = 10
MESSAGES_SHOWN = 3
NOTICES = {
    "submitted": N_("Your application was submitted. An SMS with its number is on its way to your mobile."),
    "already": N_("You had already applied to this job; this is your application, with the same number."),
    "withdrawn": N_("Your application was withdrawn. You can submit it again until the closing time."),
}


@dataclass(frozen=True)
class ApplicationCard:
    """One application as the applicant sees it, with what they may still do."""

    application: Application
    view: AnnouncementView
    events: list[ApplicationEvent]
    # The screening result, once the chair has closed screening.
    outcome: ApplicantOutcome | None = None

    @property
    def can_withdraw(self) -> bool:
        return self.application.status == STATUS_SUBMITTED and self.view.state == STATE_OPEN

    @property
    def can_resubmit(self) -> bool:
        return self.application.status == STATUS_WITHDRAWN and self.view.state == STATE_OPEN


def _cards(session, applications: list[Application]) -> list[ApplicationCard]:
    now = apply_pages.now_utc()
    ids = [application.id for application in applications]
    events = events_of(session, ids)
    outcomes = applicant_outcomes(session, ids)
    return [ApplicationCard(application, view_of(application.announcement, now),
                            visible_events(events[application.id]), outcomes.get(application.id))
            for application in applications]


def _open_jobs(session, applied: set[int]) -> list[AnnouncementView]:
    """Return open announcements the applicant has not applied to, newest first."""
    now = apply_pages.now_utc()
    found = list_announcements(session, AnnouncementFilters(open_at=now), page=1,
                               per_page=OPEN_JOBS_SHOWN + len(applied))
    views = [view_of(item, now) for item in found.items if item.id not in applied]
    return views[:OPEN_JOBS_SHOWN]


def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "event_labels": EVENT_LABELS, "names": NAMES,
            "degree_names": DEGREE_NAMES, "kind_names": DOCUMENT_KIND_NAMES}


@router.get(apply_pages.DASHBOARD_PATH)
def dashboard(request: Request, applicant: CurrentApplicant, archive: ArchiveDep) -> Response:
    with archive.db.session(write=False) as session:
        row = session.get(Applicant, applicant.id)
        applications = applications_of(session, row)
        messages = messages_of(session, row, 1, MESSAGES_SHOWN)
        context = {
            "cards": _cards(session, applications),
            "open_jobs": _open_jobs(session, {application.announcement_id for application in applications}),
            "document_count": len(current_versions(session, row)),
            "messages": messages,
            "bodies": {message.id: masked_text(message.template, message.body) for message in messages.messages},
            "template_labels": TEMPLATE_LABELS,
            **_labels(),
        }
        return render_applicant(request, "recruitment/applications/dashboard.html", context)


@router.get(apply_pages.DASHBOARD_PATH + "/{application_id:int}")
def application_page(request: Request, application_id: int, applicant: CurrentApplicant, archive: ArchiveDep,
                     done: str = "") -> Response:
    with archive.db.session(write=False) as session:
        application = own_application(session, session.get(Applicant, applicant.id), application_id)
        card = _cards(session, [application])[0]
        context = {
            "card": card,
            "snapshot": snapshot_of(application),
            "versions": linked_versions(session, application.id),
            "notice": NOTICES.get(done, ""),
            **_labels(),
        }
        return render_applicant(request, "recruitment/applications/application.html", context)
