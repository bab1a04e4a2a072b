"""The SMS template editor: staff edit the Arabic and English texts, with a live preview of their size.

Every recruitment staff member can read the templates; administrators and clerks can edit them
and bring the built-in texts back. The preview fills the texts with sample values on every
keystroke (HTMX) and shows characters, encoding and parts, so the cost of an edit is visible
before it is saved.
"""

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from archive_api.accounts.models import User
from archive_api.api.deps import SessionDep
from archive_api.errors import N_, NotFound, PermissionDenied
from recruitment.announcements.access import require_recruitment_staff
from recruitment.notify.labels import TEMPLATE_LABELS
from recruitment.notify.template_store import (
    InvalidTemplateText,
    edits_by_key,
    effective_template,
    preview,
    reset_template,
    save_template,
)
from recruitment.notify.templates import SAMPLE_VALUES, TEMPLATES, get_template
from web.deps import WebUser
from web.forms import FormState
from web.redirects import see_other
from web.rendering import is_htmx, language_of, render, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

EDITOR_ROLES = ("admin", "clerk")
FIELDS = ("arabic", "english")
NOTICES = ("saved", "reset")


def recruitment_staff(user: WebUser) -> User:
    return require_recruitment_staff(user)


def template_editor(user: WebUser) -> User:
    require_recruitment_staff(user)
    if user.role not in EDITOR_ROLES:
        raise PermissionDenied(
            N_("Only administrators and clerks of the recruitment department can change SMS templates.")
        )
    return user


RecruitmentStaff = Annotated[User, Depends(recruitment_staff)]
TemplateEditor = Annotated[User, Depends(template_editor)]


async def submitted_texts(request: Request) -> FormState:
    return FormState.from_mapping(await request.form(), FIELDS)


SubmittedTexts = Annotated[FormState, Depends(submitted_texts)]


@router.get("/recruitment/sms-templates")
def templates_list(request: Request, staff: RecruitmentStaff, session: SessionDep) -> Response:
    edits = edits_by_key(session)
    rows = []
    for key in TEMPLATES:
        template = effective_template(session, key)
        rows.append({"key": key, "template": template, "edit": edits.get(key),
                     "previews": preview(key, template.arabic, template.english)})
    context = {"rows": rows, "template_labels": TEMPLATE_LABELS, "notice": ""}
    return render(request, "recruitment/sms_templates/list.html", context)


def _require_known(key: str) -> None:
    if key not in TEMPLATES:
        raise NotFound(N_("SMS template %(template)s does not exist."), template=key)


def _edit_page(request: Request, session, staff: User, key: str, form: FormState, status_code: int = 200) -> Response:
    notice = request.query_params.get("done", "")
    context = {
        "key": key,
        "label": TEMPLATE_LABELS.get(key),
        "form": form,
        "edit": edits_by_key(session).get(key),
        "placeholders": sorted(get_template(key).placeholders),
        "samples": SAMPLE_VALUES[language_of(request)],
        "previews": preview(key, form.value("arabic"), form.value("english")),
        "can_edit": staff.role in EDITOR_ROLES,
        "notice": notice if notice in NOTICES else "",
    }
    return render(request, "recruitment/sms_templates/edit.html", context, status_code=status_code)


@router.get("/recruitment/sms-templates/{key}")
def template_page(request: Request, key: str, staff: RecruitmentStaff, session: SessionDep) -> Response:
    _require_known(key)
    template = effective_template(session, key)
    form = FormState(values={"arabic": template.arabic, "english": template.english})
    return _edit_page(request, session, staff, key, form)


@router.post("/recruitment/sms-templates/{key}/preview")
def template_preview(request: Request, key: str, staff: TemplateEditor, session: SessionDep,
                     form: SubmittedTexts) -> Response:
    """Return the preview of the texts as typed (a fragment for HTMX, else the whole page); nothing is stored."""
    _require_known(key)
    if not is_htmx(request):
        return _edit_page(request, session, staff, key, form)
    context = {"previews": preview(key, form.value("arabic"), form.value("english"))}
    return render(request, "recruitment/sms_templates/_preview.html", context)


@router.post("/recruitment/sms-templates/{key}")
def template_save(request: Request, key: str, staff: TemplateEditor, session: SessionDep,
                  form: SubmittedTexts) -> Response:
    _require_known(key)
    try:
        save_template(session, staff, key, form.value("arabic"), form.value("english"))
    except InvalidTemplateText as error:
        session.rollback()
        translate = translator(request)
        for field, field_error in error.field_errors.items():
            form.add(field, field_error.render(translate))
        form.problems.append(error.render(translate))
        return _edit_page(request, session, staff, key, form, status_code=error.http_status)
    session.commit()
    return see_other(f"/recruitment/sms-templates/{key}?done=saved")


@router.post("/recruitment/sms-templates/{key}/reset")
def template_reset(request: Request, key: str, staff: TemplateEditor, session: SessionDep) -> Response:
    _require_known(key)
    reset_template(session, staff, key)
    session.commit()
    return see_other(f"/recruitment/sms-templates/{key}?done=reset")
