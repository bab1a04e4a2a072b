"""The committee page of an announcement: editors choose the members and the chair until screening closes."""

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response

from archive_api.api.deps import ArchiveDep
from archive_api.errors import N_
from recruitment.announcements.service import get_published
from recruitment.screening.access import is_editor, require_screening_editor
from recruitment.screening.committees import find_committee, members_of, possible_members, save_committee
from recruitment.screening.errors import InvalidCommittee
from web.forms import FormState, PostedForm
from web.recruitment.screening_shared import BASE_PATH, RecruitmentStaff, announcement_path, whole_number
from web.redirects import see_other
from web.rendering import render, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

PAGE_PATH = BASE_PATH + "/{announcement_id:int}/committee"


def _page(request: Request, archive, staff, announcement_id: int, form: FormState | None, chosen: set[int] | None,
          status_code: int = 200) -> Response:
    with archive.db.session(write=False) as session:
        announcement = get_published(session, announcement_id)
        committee = find_committee(session, announcement.id)
        members = members_of(session, committee) if committee else []
        candidates = possible_members(session)

    if form is None:
        form = FormState(values={"chair": str(committee.chair_id) if committee else ""})
        chosen = {member.id for member in members}
    context = {
        "announcement": announcement,
        "committee": committee,
        "members": members,
        "candidates": candidates,
        "chosen": chosen or set(),
        "form": form,
        "can_edit": is_editor(staff) and (committee is None or committee.closed_at is None),
        "saved": request.query_params.get("done") == "saved",
        "action": announcement_path(announcement.id, "/committee"),
        "list_path": announcement_path(announcement.id),
    }
    return render(request, "recruitment/screening/committee.html", context, status_code=status_code)


@router.get(PAGE_PATH)
def committee_page(request: Request, announcement_id: int, staff: RecruitmentStaff, archive: ArchiveDep) -> Response:
    return _page(request, archive, staff, announcement_id, None, None)


@router.post(PAGE_PATH)
def save(
    request: Request, announcement_id: int, staff: RecruitmentStaff, archive: ArchiveDep, posted: PostedForm,
) -> Response:
    require_screening_editor(staff)
    form = FormState.from_mapping(posted, ("chair",))
    translate = translator(request)

    texts = [value for value in posted.getlist("members") if isinstance(value, str)]
    member_ids = [whole_number(text) for text in texts]
    if None in member_ids:
        error = InvalidCommittee(N_("The member list contains %(value)r, which is not a user; choose members from the "
                                    "list."), value=next(text for text in texts if whole_number(text) is None))
        form.add("members", error.render(translate))
        return _page(request, archive, staff, announcement_id, form, set(), 422)
    chair_id = whole_number(form.value("chair")) if form.value("chair") else None
    if form.value("chair") and chair_id is None:
        form.add("chair", InvalidCommittee(N_("Choose the committee's chair.")).render(translate))
        return _page(request, archive, staff, announcement_id, form, set(member_ids), 422)

    try:
        with archive.db.session() as session:
            save_committee(session, staff, announcement_id, member_ids, chair_id)
    except InvalidCommittee as error:
        for name, field_error in error.field_errors.items():
            form.add(name, field_error.render(translate))
        if not error.field_errors:
            form.problems.append(error.render(translate))
        return _page(request, archive, staff, announcement_id, form, set(member_ids), error.http_status)
    return see_other(announcement_path(announcement_id, "/committee?done=saved"))
