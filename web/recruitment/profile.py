"""The applicant's profile page: personal data, total experience and every CV section.

Each section is also rendered on its own (recruitment/profile/_section.html), so the HTMX forms
of web.recruitment.profile_sections swap just that section.
"""

import logging
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from archive_api.api.deps import ArchiveDep
from archive_api.errors import N_
from recruitment.announcements.labels import DEGREE_NAMES
from recruitment.announcements.models import DEGREE_LEVELS
from recruitment.applicants.experience import ExperienceTotal, period_months
from recruitment.applicants.labels import LANGUAGE_LEVEL_LABELS
from recruitment.applicants.models import Applicant
from recruitment.applicants.personal import age_on, council_today
from recruitment.applicants.phones import local_form
from recruitment.applicants.profile import LANGUAGE_LEVELS, SECTIONS, Section, entries, experience_of, form_values
from web.forms import FormState
from web.recruitment.applicants_deps import HOME_PATH, CurrentApplicant, render_applicant
from web.redirects import see_other
from web.rendering import translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

PAGE_TEMPLATE = "recruitment/profile/page.html"
SECTION_TEMPLATE = "recruitment/profile/_section.html"
NOTICES = {"welcome": N_("Your mobile number is confirmed. Welcome to Diwan; fill in your profile once "
                         "and use it for every application.")}


@dataclass
class SectionBlock:
    """The content of one section on the page: its rows, the add form, and the row being edited with its form."""

    section: Section
    rows: list
    form: FormState
    editing: int | None = None
    edit_form: FormState | None = None
    durations: dict[int, ExperienceTotal] = field(default_factory=dict)


def empty_form(section: Section) -> FormState:
    return FormState(values=dict.fromkeys(section.fields, ""))


def section_block(
    session: Session, applicant: Applicant, section: Section, form: FormState | None = None,
    editing: int | None = None, edit_form: FormState | None = None,
) -> SectionBlock:
    """Load a section's rows; the row being edited gets its stored values unless a typed form is given."""
    rows = entries(session, applicant, section)
    if editing is not None and edit_form is None:
        row = next((row for row in rows if row.id == editing), None)
        edit_form = FormState(values=form_values(section, row)) if row is not None else None
        editing = editing if row is not None else None
    block = SectionBlock(section, rows, form or empty_form(section), editing, edit_form)
    if section.name == "experience":
        today = council_today()
        block.durations = {row.id: ExperienceTotal(period_months(row.start_date, row.end_date, today))
                           for row in rows}
    return block


def choice_lists(translate) -> dict[str, list[tuple[str, str]]]:
    """Options of the select fields, with an empty first choice."""
    return {
        "degree_level": [("", translate(N_("Choose…")))]
        + [(level, translate(DEGREE_NAMES[level])) for level in DEGREE_LEVELS],
        "level": [("", translate(N_("Choose…")))]
        + [(level, translate(LANGUAGE_LEVEL_LABELS[level])) for level in LANGUAGE_LEVELS],
    }


def labels_context() -> dict:
    return {"degree_names": DEGREE_NAMES, "language_levels": LANGUAGE_LEVEL_LABELS}


def _edit_target(value: str) -> tuple[str, int] | None:
    """Parse ?edit=section:id, the no-JavaScript way to open an entry's edit form."""
    name, _, number = value.partition(":")
    if name not in SECTIONS or not number.isdigit():
        return None
    return name, int(number)


def render_profile(request: Request, session: Session, applicant: Applicant, replaced: SectionBlock | None = None,
                   status_code: int = 200, notice: str = "") -> Response:
    """Render the whole profile page; `replaced` is a section shown with the form the applicant typed."""
    target = _edit_target(request.query_params.get("edit", ""))
    blocks = []
    for name, section in SECTIONS.items():
        if replaced is not None and replaced.section.name == name:
            blocks.append(replaced)
            continue
        editing = target[1] if target and target[0] == name else None
        blocks.append(section_block(session, applicant, section, editing=editing))

    context = {
        "blocks": blocks,
        "experience": experience_of(session, applicant),
        "age": age_on(applicant.birth_date, council_today()),
        "mobile": local_form(applicant.mobile),
        "notice": notice,
        "choices": choice_lists(translator(request)),
        **labels_context(),
    }
    return render_applicant(request, PAGE_TEMPLATE, context, status_code)


@router.get("/applicant")
def applicant_home() -> Response:
    return see_other(HOME_PATH)


@router.get("/applicant/profile")
def profile_page(request: Request, applicant: CurrentApplicant, archive: ArchiveDep, notice: str = "") -> Response:
    with archive.db.session(write=False) as session:
        return render_profile(request, session, applicant, notice=NOTICES.get(notice, ""))
