"""One application before the committee: the frozen profile, the documents, the history and the decision form.

Opening the page is written to the audit log. After a decision the member goes on to the next
undecided application, or back to the list when none is left.
"""

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response

from archive_api.api.deps import ArchiveDep
from archive_api.errors import N_, DiwanError
from recruitment.announcements.labels import DEGREE_NAMES, DOCUMENT_KIND_NAMES, GOVERNORATE_NAMES
from recruitment.applicants.phones import local_form
from recruitment.applications.labels import EVENT_LABELS, STATUS_LABELS
from recruitment.applications.listing import audit_view
from recruitment.applications.models import Application
from recruitment.applications.service import events_of, linked_versions, snapshot_of
from recruitment.screening.access import require_member
from recruitment.screening.committees import committee_of
from recruitment.screening.decisions import decide, decision_of
from recruitment.screening.errors import InvalidDecision
from recruitment.screening.labels import OUTCOME_LABELS
from recruitment.screening.listing import undecided_applications
from recruitment.screening.reasons import list_reasons
from web.forms import FormState, PostedForm
from web.recruitment.screening_shared import (
    BASE_PATH,
    RecruitmentStaff,
    announcement_path,
    reason_choices,
    whole_number,
)
from web.redirects import see_other
from web.rendering import language_of, render, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

FIELDS = ("outcome", "reason", "notes")
PAGE_PATH = BASE_PATH + "/{announcement_id:int}/applications/{application_id:int}"


def _application(session, committee, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None or application.announcement_id != committee.announcement_id:
        raise InvalidDecision(
            N_("Application %(id)s is not an application to announcement %(number)s; open it from the screening list "
               "of its own announcement."),
            id=application_id, number=committee.announcement.number,
        )
    return application


def _decision_page(request: Request, archive, staff, announcement_id: int, application_id: int,
                   form: FormState | None, status_code: int = 200) -> Response:
    language = language_of(request)
    translate = translator(request)
    with archive.db.session(write=False) as session:
        committee = committee_of(session, announcement_id)
        require_member(session, committee, staff)
        application = _application(session, committee, application_id)
        decision = decision_of(session, application.id)
        versions = linked_versions(session, application.id)
        events = events_of(session, [application.id])[application.id]
        reasons = list_reasons(session)

    with archive.db.session() as session:
        audit_view(session, staff, application)
    if form is None:
        form = FormState(values={
            "outcome": decision.outcome if decision else "",
            "reason": str(decision.reason_id) if decision and decision.reason_id else "",
            "notes": decision.notes if decision else "",
        })
    if decision and decision.reason and decision.reason.retired_at is not None:
        reasons.append(decision.reason)

    snapshot = snapshot_of(application)
    context = {
        "committee": committee,
        "announcement": committee.announcement,
        "application": application,
        "decision": decision,
        "form": form,
        "snapshot": snapshot,
        "mobile": local_form(snapshot["personal"]["mobile"]),
        "versions": versions,
        "events": events,
        "event_labels": EVENT_LABELS,
        "status_labels": STATUS_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "reason_options": reason_choices(reasons, language, translate(N_("Choose a reason"))),
        "degree_names": DEGREE_NAMES,
        "kind_names": DOCUMENT_KIND_NAMES,
        "governorate_names": GOVERNORATE_NAMES,
        "closed": committee.closed_at is not None,
        "saved": request.query_params.get("done") == "saved",
        "list_path": announcement_path(announcement_id),
        "action": announcement_path(announcement_id, f"/applications/{application.id}"),
    }
    return render(request, "recruitment/screening/decision.html", context, status_code=status_code)


@router.get(PAGE_PATH)
def decision_page(request: Request, announcement_id: int, application_id: int, staff: RecruitmentStaff,
                  archive: ArchiveDep) -> Response:
    return _decision_page(request, archive, staff, announcement_id, application_id, None)


@router.post(PAGE_PATH)
def save_decision(
    request: Request, announcement_id: int, application_id: int, staff: RecruitmentStaff, archive: ArchiveDep,
    posted: PostedForm,
) -> Response:
    form = FormState.from_mapping(posted, FIELDS)
    translate = translator(request)
    reason_text = form.value("reason")
    reason_id = whole_number(reason_text) if reason_text else None
    if reason_text and reason_id is None:
        error = InvalidDecision(N_("Rejection reason %(reason)s does not exist; choose one from the list."),
                                reason=reason_text)
        form.add("reason", error.render(translate))
        return _decision_page(request, archive, staff, announcement_id, application_id, form, 422)

    try:
        with archive.db.session() as session:
            decide(session, staff, announcement_id, application_id, form.value("outcome"), reason_id,
                   form.value("notes"))
            following = undecided_applications(session, committee_of(session, announcement_id), limit=1)
    except DiwanError as error:
        if error.http_status in (403, 404, 409):
            raise
        form.add_error(error, translate, {"reason": "reason", "outcome": "outcome", "length": "notes"})
        return _decision_page(request, archive, staff, announcement_id, application_id, form, error.http_status)

    if following:
        return see_other(announcement_path(announcement_id, f"/applications/{following[0].id}?done=saved"))
    return see_other(announcement_path(announcement_id, "?done=saved"))
