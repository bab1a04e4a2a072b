"""The rejection reason catalogue: every recruitment staff user reads it, editors add, retire and restore reasons."""

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response

from archive_api.api.deps import ArchiveDep
from recruitment.screening.access import is_editor, require_screening_editor
from recruitment.screening.reasons import add_reason, check_labels, list_reasons, restore_reason, retire_reason
from web.forms import FormState, PostedForm
from web.recruitment.screening_shared import BASE_PATH, RecruitmentStaff
from web.redirects import see_other
from web.rendering import render, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

REASONS_PATH = BASE_PATH + "/reasons"
FIELDS = ("label_ar", "label_en")
NOTICES = ("added", "retired", "restored")


def _page(request: Request, archive, staff, form: FormState, status_code: int = 200) -> Response:
    with archive.db.session(write=False) as session:
        reasons = list_reasons(session, include_retired=True)
    notice = request.query_params.get("done", "")
    context = {
        "reasons": reasons,
        "form": form,
        "can_edit": is_editor(staff),
        "notice": notice if notice in NOTICES else "",
        "path": REASONS_PATH,
    }
    return render(request, "recruitment/screening/reasons.html", context, status_code=status_code)


@router.get(REASONS_PATH)
def reasons_page(request: Request, staff: RecruitmentStaff, archive: ArchiveDep) -> Response:
    return _page(request, archive, staff, FormState())


@router.post(REASONS_PATH)
def add(request: Request, staff: RecruitmentStaff, archive: ArchiveDep, posted: PostedForm) -> Response:
    require_screening_editor(staff)
    form = FormState.from_mapping(posted, FIELDS)
    translate = translator(request)
    with archive.db.session() as session:
        label_ar, label_en = " ".join(form.value("label_ar").split()), " ".join(form.value("label_en").split())
        errors = check_labels(session, label_ar, label_en)
        if not errors:
            add_reason(session, staff, label_ar, label_en)
    if errors:
        for name, error in errors.items():
            form.add(name, error.render(translate))
        return _page(request, archive, staff, form, 422)
    return see_other(f"{REASONS_PATH}?done=added")


@router.post(REASONS_PATH + "/{reason_id:int}/retire")
def retire(reason_id: int, staff: RecruitmentStaff, archive: ArchiveDep) -> Response:
    with archive.db.session() as session:
        retire_reason(session, staff, reason_id)
    return see_other(f"{REASONS_PATH}?done=retired")


@router.post(REASONS_PATH + "/{reason_id:int}/restore")
def restore(reason_id: int, staff: RecruitmentStaff, archive: ArchiveDep) -> Response:
    with archive.db.session() as session:
        restore_reason(session, staff, reason_id)
    return see_other(f"{REASONS_PATH}?done=restored")
