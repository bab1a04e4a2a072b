"""The SMS an applicant was sent, listed in their own space; one-time codes are shown masked."""

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response

from archive_api.api.deps import ArchiveDep
from recruitment.notify.labels import STATUS_LABELS, TEMPLATE_LABELS
from recruitment.notify.service import messages_of
from recruitment.notify.templates import masked_text
from web.recruitment.applicants_deps import CurrentApplicant, render_applicant

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

PER_PAGE = 20


def _page_number(value: str) -> int:
    return int(value) if value.isdigit() and int(value) > 0 else 1


@router.get("/applicant/messages")
def messages_page(request: Request, applicant: CurrentApplicant, archive: ArchiveDep, page: str = "1") -> Response:
    with archive.db.session(write=False) as session:
        found = messages_of(session, applicant, _page_number(page), PER_PAGE)
    context = {
        "found": found,
        "bodies": {message.id: masked_text(message.template, message.body) for message in found.messages},
        "status_labels": STATUS_LABELS,
        "template_labels": TEMPLATE_LABELS,
    }
    return render_applicant(request, "recruitment/applicants/messages.html", context)
