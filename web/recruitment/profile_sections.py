"""Adding, editing and deleting CV entries, one section at a time.

With HTMX each form swaps its own section. Without JavaScript the same forms post normally: a
success redirects back to the profile, and an error shows the whole page with the typed form.
"""

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from archive_api.api.deps import ArchiveDep
from archive_api.errors import DiwanError
from recruitment.applicants.errors import EntryInvalid
from recruitment.applicants.models import Applicant
from recruitment.applicants.profile import delete_entry, get_entry, get_section, save_entry
from web.forms import FormState
from web.recruitment.applicants_deps import HOME_PATH, CurrentApplicant, render_applicant
from web.recruitment.profile import (
    SECTION_TEMPLATE,
    SectionBlock,
    choice_lists,
    labels_context,
    render_profile,
    section_block,
)
from web.redirects import see_other
from web.rendering import is_htmx, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


async def submitted_form(request: Request) -> dict[str, str]:
    """Return the text fields of a posted form (the CSRF check may already have read it)."""
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


SubmittedForm = Annotated[dict[str, str], Depends(submitted_form)]


def _render_section(request: Request, block: SectionBlock, status_code: int = 200) -> Response:
    context = {"block": block, "choices": choice_lists(translator(request)), **labels_context()}
    return render_applicant(request, SECTION_TEMPLATE, context, status_code)


def _done(request: Request, session: Session, applicant: Applicant, section) -> Response:
    if is_htmx(request):
        return _render_section(request, section_block(session, applicant, section))
    return see_other(f"{HOME_PATH}#section-{section.name}")


def _typed_form(section, values: dict[str, str], error: DiwanError, translate) -> FormState:
    """Return the form as typed, with each field's error beside it (or the error above the form)."""
    form = FormState.from_mapping(values, section.fields)
    if isinstance(error, EntryInvalid):
        for name, field_error in error.errors.items():
            form.add(name, field_error.render(translate))
    else:
        form.add_error(error, translate)
    return form


def _failed(request, session, applicant, section, values, error: DiwanError, entry_id: int | None) -> Response:
    form = _typed_form(section, values, error, translator(request))
    if entry_id is None:
        block = section_block(session, applicant, section, form=form)
    else:
        block = section_block(session, applicant, section, editing=entry_id, edit_form=form)
    if is_htmx(request):
        return _render_section(request, block, error.http_status)
    return render_profile(request, session, applicant, replaced=block, status_code=error.http_status)


@router.get("/applicant/profile/{section_name}")
def show_section(request: Request, section_name: str, applicant: CurrentApplicant, archive: ArchiveDep) -> Response:
    """Return one section as it is stored, such as after cancelling an edit."""
    section = get_section(section_name)
    if not is_htmx(request):
        return see_other(f"{HOME_PATH}#section-{section.name}")
    with archive.db.session(write=False) as session:
        return _render_section(request, section_block(session, applicant, section))


@router.get("/applicant/profile/{section_name}/{entry_id}/edit")
def edit_form(request: Request, section_name: str, entry_id: int, applicant: CurrentApplicant,
              archive: ArchiveDep) -> Response:
    section = get_section(section_name)
    if not is_htmx(request):
        return see_other(f"{HOME_PATH}?edit={section.name}:{entry_id}#section-{section.name}")
    with archive.db.session(write=False) as session:
        get_entry(session, applicant, section, entry_id)
        return _render_section(request, section_block(session, applicant, section, editing=entry_id))


@router.post("/applicant/profile/{section_name}")
def add_entry(request: Request, section_name: str, applicant: CurrentApplicant, archive: ArchiveDep,
              values: SubmittedForm) -> Response:
    section = get_section(section_name)
    try:
        with archive.db.session() as session:
            save_entry(session, session.get(Applicant, applicant.id), section, values)
    except DiwanError as error:
        if error.http_status == 404:
            raise
        with archive.db.session(write=False) as session:
            return _failed(request, session, applicant, section, values, error, None)
    with archive.db.session(write=False) as session:
        return _done(request, session, applicant, section)


@router.post("/applicant/profile/{section_name}/{entry_id}")
def update_entry(request: Request, section_name: str, entry_id: int, applicant: CurrentApplicant,
                 archive: ArchiveDep, values: SubmittedForm) -> Response:
    section = get_section(section_name)
    try:
        with archive.db.session() as session:
            save_entry(session, session.get(Applicant, applicant.id), section, values, entry_id)
    except DiwanError as error:
        if error.http_status == 404:
            raise
        with archive.db.session(write=False) as session:
            return _failed(request, session, applicant, section, values, error, entry_id)
    with archive.db.session(write=False) as session:
        return _done(request, session, applicant, section)


@router.post("/applicant/profile/{section_name}/{entry_id}/delete")
def remove_entry(request: Request, section_name: str, entry_id: int, applicant: CurrentApplicant,
                 archive: ArchiveDep) -> Response:
    section = get_section(section_name)
    with archive.db.session() as session:
        delete_entry(session, session.get(Applicant, applicant.id), section, entry_id)
    with archive.db.session(write=False) as session:
        return _done(request, session, applicant, section)
