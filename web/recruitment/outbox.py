"""The SMS messages page for the recruitment office: search, filters, pages, and each message in full.

Lists show mobile numbers masked and no message text. Opening a message shows its full text,
number and delivery reports, and is written to the audit log before the page is sent. Every
search by a mobile, national ID or application number is written to the audit log too.
Administrators and clerks can resend a failed message from its page.
"""

import logging
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from archive_api.accounts.models import User
from archive_api.api.deps import SessionDep
from archive_api.audit.service import record
from archive_api.context import get_archive
from archive_api.errors import N_, DiwanError, NotFound, PermissionDenied
from recruitment.announcements.access import require_recruitment_staff
from recruitment.applicants.models import Applicant
from recruitment.applicants.phones import local_form, mask_mobile
from recruitment.applications.models import Application
from recruitment.notify.gateway import gateway_configured
from recruitment.notify.labels import STAGE_LABELS, STATUS_LABELS, TEMPLATE_LABELS
from recruitment.notify.models import STATUS_FAILED, SmsDeliveryReport, SmsMessage
from recruitment.notify.parts import sms_size
from recruitment.notify.reasons import reason_text
from recruitment.notify.resend import can_resend, resend_message, resend_of
from recruitment.notify.service import (
    STATUSES,
    OutboxPage,
    outbox_conditions,
    outbox_page,
    stages_in_outbox,
)
from web.deps import WebUser
from web.forms import FormState
from web.recruitment import outbox_counts, outbox_reports, templates_admin
from web.redirects import see_other
from web.rendering import render, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)
router.include_router(outbox_counts.router)
router.include_router(outbox_reports.router)
router.include_router(templates_admin.router)

FIELDS = ("q", "application", "status", "stage", "page")
FILTER_FIELDS = ("q", "application", "status", "stage")
# Badge colours of the shared stylesheet: green for delivered, amber while waiting, red for failed.
BADGE_CLASSES = {"delivered": "badge-indexed", "queued": "badge-ocr", "failed": "badge-failed"}
REPORT_LABELS = {
    1: N_("Delivered to the phone"),
    2: N_("Not delivered to the phone"),
    4: N_("Queued at the SMS centre"),
    8: N_("Accepted by the SMS centre"),
    16: N_("Rejected by the SMS centre"),
}


def recruitment_staff(user: WebUser) -> User:
    return require_recruitment_staff(user)


RecruitmentStaff = Annotated[User, Depends(recruitment_staff)]


def _page_number(value: str) -> int:
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _conditions(form: FormState, translate) -> list:
    """Check each filter on its own, so every bad value gets its own message beside its field."""
    checks = {
        "q": lambda: outbox_conditions(query=form.value("q")),
        "application": lambda: outbox_conditions(application=form.value("application")),
        "status": lambda: outbox_conditions(status=form.value("status")),
        "stage": lambda: outbox_conditions(stage=form.value("stage")),
    }
    conditions = []
    for name, check in checks.items():
        try:
            conditions += check()
        except DiwanError as error:
            form.add(name, error.render(translate))
    return conditions


@router.get("/recruitment/outbox")
def outbox_list(request: Request, staff: RecruitmentStaff, session: SessionDep) -> Response:
    form = FormState.from_mapping(request.query_params, FIELDS)
    conditions = _conditions(form, translator(request))
    found = outbox_page(session, conditions, _page_number(form.value("page"))) if form.ok else OutboxPage([], 0, 1, 1)

    if form.ok and (form.value("q") or form.value("application")):
        record(session, staff, "sms_search", "sms_outbox", None,
               {"query": form.value("q"), "application": form.value("application"), "status": form.value("status"),
                "stage": form.value("stage"), "total": found.total})
        session.commit()

    filters = {name: form.value(name) for name in FILTER_FIELDS if form.value(name)}
    context = {
        "form": form,
        "found": found,
        "masked": {message.id: mask_mobile(message.to_number) for message in found.messages},
        "parts": {message.id: sms_size(message.body).parts for message in found.messages},
        "statuses": STATUSES,
        "stages": stages_in_outbox(session),
        "status_labels": STATUS_LABELS,
        "stage_labels": STAGE_LABELS,
        "template_labels": TEMPLATE_LABELS,
        "badge_classes": BADGE_CLASSES,
        "delivering": gateway_configured(get_archive().settings),
        "page_link": lambda number: "/recruitment/outbox?" + urlencode({**filters, "page": number}),
    }
    return render(request, "recruitment/outbox/list.html", context, status_code=200 if form.ok else 422)


@router.get("/recruitment/outbox/{message_id:int}")
def outbox_message(request: Request, message_id: int, staff: RecruitmentStaff, session: SessionDep) -> Response:
    """Show one message in full; the view is audited before the text is shown."""
    message = session.get(SmsMessage, message_id)
    if message is None:
        raise NotFound(N_("SMS %(id)s was not found in the outbox."), id=message_id)

    record(session, staff, "sms_view", "sms_message", message.id, {"applicant": message.applicant_id})
    session.commit()
    logger.info("outbox message viewed id=%s user=%s", message.id, staff.id)
    return _message_page(request, session, staff, message)


def _message_page(request: Request, session, staff: User, message: SmsMessage, problem: str = "",
                  status_code: int = 200) -> Response:
    applicant = session.get(Applicant, message.applicant_id) if message.applicant_id else None
    application = session.get(Application, message.application_id) if message.application_id else None
    reports = session.scalars(
        select(SmsDeliveryReport).where(SmsDeliveryReport.message_id == message.id).order_by(SmsDeliveryReport.id)
    ).all()
    context = {
        "message": message,
        "recipient": applicant,
        "application": application,
        "number": local_form(message.to_number),
        "size": sms_size(message.body),
        "reason": reason_text(message.last_error, translator(request)),
        "reports": reports,
        "report_labels": REPORT_LABELS,
        "resent_as": resend_of(session, message.id),
        "can_resend": can_resend(staff) and message.status == STATUS_FAILED,
        "problem": problem,
        "notice": request.query_params.get("done", "") == "resent",
        "status_labels": STATUS_LABELS,
        "stage_labels": STAGE_LABELS,
        "template_labels": TEMPLATE_LABELS,
        "badge_classes": BADGE_CLASSES,
    }
    return render(request, "recruitment/outbox/message.html", context, status_code=status_code)


@router.post("/recruitment/outbox/{message_id:int}/resend")
def resend(request: Request, message_id: int, staff: RecruitmentStaff, session: SessionDep) -> Response:
    """Queue a failed message again as a new message, and show the new one."""
    if not can_resend(staff):
        raise PermissionDenied(N_("Only administrators and clerks of the recruitment department can resend SMS."))
    try:
        message = resend_message(session, staff, message_id)
    except DiwanError as error:
        session.rollback()
        failed = session.get(SmsMessage, message_id)
        if failed is None:
            raise
        return _message_page(request, session, staff, failed, error.render(translator(request)), error.http_status)
    session.commit()
    return see_other(f"/recruitment/outbox/{message.id}?done=resent")
