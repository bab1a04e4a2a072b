"""The screening pages: who may open them, CSRF, bad form input, the gate on the page and the applicant's view."""

import pytest
from sqlalchemy import select

from archive_api.audit.models import AuditEntry
from recruitment.screening.models import RejectionReason, ScreeningCommittee
from tests.recruitment import test_screening_fixtures as support
from tests.recruitment.test_screening_fixtures import CHAIR, EXPERIENCE, decide_all, decide_as, messages, reason_id
from tests.web.pages import arabic, english, translated

app = support.app
applicant_browser = support.applicant_browser
client = support.client
committee = support.committee
fresh_throttles = support.fresh_throttles
gpc = support.gpc
make_announcement = support.make_announcement
make_applicant = support.make_applicant
new_client = support.new_client
other_staff = support.other_staff
outsiders = support.outsiders
qualified = support.qualified
screening_job = support.screening_job
sign_in = support.sign_in

BASE = "/recruitment/screening"
PAGES = (BASE, BASE + "/{a}", BASE + "/{a}/applications/{app}", BASE + "/{a}/committee", BASE + "/reasons",
         BASE + "/{a}/sessions")
FORMS = (BASE + "/{a}/applications/{app}", BASE + "/{a}/bulk", BASE + "/{a}/close", BASE + "/{a}/committee",
         BASE + "/reasons", BASE + "/{a}/sessions", BASE + "/{a}/sessions/seat", BASE + "/{a}/sessions/in-order")


def _path(template: str, job) -> str:
    return template.format(a=job.announcement_id, app=job.applications["omar"].id)


def _audit(archive, action: str) -> list[AuditEntry]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.fixture
def chair(sign_in, committee):
    return sign_in(CHAIR)


# --- who may open the pages ----------------------------------------------------------------------


def test_logged_out_sent_to_login(client, committee, screening_job):
    responses = {page: client.get(_path(page, screening_job), follow_redirects=False) for page in PAGES}

    assert {page: response.status_code for page, response in responses.items()} == {page: 303 for page in PAGES}
    assert all(response.headers["location"].startswith("/login") for response in responses.values())


def test_applicant_not_staff(applicant_browser, committee, screening_job):
    browser = applicant_browser()
    browser.sign_in(screening_job.applications["omar"].national_id)

    responses = {page: browser.get(_path(page, screening_job), follow_redirects=False) for page in PAGES}

    assert {page: response.status_code for page, response in responses.items()} == {page: 303 for page in PAGES}
    assert all(response.headers["location"].startswith("/login") for response in responses.values())


def test_other_department_forbidden(sign_in, outsiders, committee, screening_job):
    outsider = sign_in("hr.admin")

    responses = {page: outsider.get(_path(page, screening_job)) for page in PAGES}

    assert {page: response.status_code for page, response in responses.items()} == {page: 403 for page in PAGES}
    assert not any("عمر فارس حداد" in response.text for response in responses.values())


def test_non_member_forbidden(sign_in, other_staff, committee, screening_job, archive):
    outsider = sign_in(other_staff)
    pages = (BASE + "/{a}", BASE + "/{a}/applications/{app}", BASE + "/{a}/sessions")

    responses = {page: outsider.get(_path(page, screening_job)) for page in pages}

    assert {page: response.status_code for page, response in responses.items()} == {page: 403 for page in pages}
    assert not any("عمر فارس حداد" in response.text for response in responses.values())
    assert _audit(archive, "application_view") == []


def test_forms_need_csrf(chair, screening_job, archive):
    data = {"outcome": "accepted", "label_ar": "سبب", "label_en": "Reason"}

    responses = {form: chair.http.post(_path(form, screening_job), data=data, follow_redirects=False)
                 for form in FORMS}

    assert {form: response.status_code for form, response in responses.items()} == {form: 403 for form in FORMS}
    assert {message.template for message in messages(archive)} == {"application_received"}
    assert _audit(archive, "screening_decision") == []


# --- the list and one application ----------------------------------------------------------------


def test_list_shows_undecided(chair, screening_job, archive):
    base = _path(BASE + "/{a}", screening_job)

    page = chair.get(base)

    assert page.status_code == 200
    assert "عمر فارس حداد" in page.text
    assert f'<li><a href="{base}/applications/{screening_job.applications["sara"].id}"' in page.text
    assert len(_audit(archive, "screening_list")) == 1


def test_list_bad_filter(chair, screening_job, archive):
    page = chair.get(_path(BASE + "/{a}", screening_job) + "?decision=maybe")

    assert page.status_code == 422
    assert "عمر فارس حداد" not in page.text
    assert _audit(archive, "screening_list") == []


def test_decision_page_audited(chair, screening_job, archive):
    page = chair.get(_path(BASE + "/{a}/applications/{app}", screening_job))

    assert page.status_code == 200
    assert '/documents/' in page.text
    assert len(_audit(archive, "application_view")) == 1


def test_decision_saved_goes_on(chair, screening_job):
    response = chair.post(_path(BASE + "/{a}/applications/{app}", screening_job), {"outcome": "accepted"})

    assert response.status_code == 303
    assert response.headers["location"].endswith(
        f"/applications/{screening_job.applications['huda'].id}?done=saved")


DECISION_CASES = (
    ({"outcome": "rejected"}, "A rejection needs a reason; choose one from the list of rejection reasons.", {}),
    ({"outcome": "rejected", "reason": "abc"}, "Rejection reason %(reason)s does not exist; choose one from the list.",
     {"reason": "abc"}),
    ({"outcome": "rejected", "reason": "99999"},
     "Rejection reason %(reason)s does not exist; choose one from the list.", {"reason": 99999}),
    ({"outcome": "maybe"}, "Decision %(outcome)r is unknown; choose accept or reject.", {"outcome": "maybe"}),
    ({}, "Decision %(outcome)r is unknown; choose accept or reject.", {"outcome": ""}),
    ({"outcome": "accepted", "notes": "ن" * 501}, "The notes have %(length)d characters; use at most %(maximum)d.",
     {"length": 501, "maximum": 500}),
)


def _outcomes(browser, path: str, cases) -> dict[int, tuple[int, bool]]:
    """POST each case and return, by case number, the status and whether the Arabic message is on the page."""
    found = {}
    for number, (data, msgid, params) in enumerate(cases):
        response = browser.post(path, data)
        found[number] = (response.status_code, arabic(msgid, **params) in response.text)
    return found


def test_decision_bad_input(chair, screening_job, archive):
    found = _outcomes(chair, _path(BASE + "/{a}/applications/{app}", screening_job), DECISION_CASES)

    assert found == {number: (422, True) for number in range(len(DECISION_CASES))}
    assert _audit(archive, "screening_decision") == []


def test_bulk_bad_filter(chair, screening_job, archive):
    response = chair.post(_path(BASE + "/{a}/bulk", screening_job), {"governorate": "paris", "outcome": "accepted"})

    assert response.status_code == 422
    assert arabic("Governorate %(value)r is unknown; choose one from the list.", value="paris") in response.text
    assert _audit(archive, "screening_decision") == []


def test_bulk_reject_needs_reason(chair, screening_job, archive):
    response = chair.post(_path(BASE + "/{a}/bulk", screening_job), {"decision": "undecided", "outcome": "rejected"})

    assert response.status_code == 422
    assert arabic("A rejection needs a reason; choose one from the list of rejection reasons.") in response.text


def test_bulk_decides(chair, screening_job, archive):
    response = chair.post(_path(BASE + "/{a}/bulk", screening_job), {"decision": "undecided", "outcome": "accepted"})

    assert response.status_code == 303
    assert "changed=3" in response.headers["location"]
    assert len(_audit(archive, "screening_decision")) == 3


def test_close_refused_lists_undecided(chair, screening_job, archive):
    decide_as(archive, CHAIR, screening_job.announcement_id, screening_job.applications["huda"].id, "accepted")

    page = chair.post(_path(BASE + "/{a}/close", screening_job))

    assert page.status_code == 409
    assert f'>{screening_job.applications["omar"].number}</a>' in page.text
    assert f'>{screening_job.applications["sara"].number}</a>' in page.text
    assert f'>{screening_job.applications["huda"].number}</a></li>' not in page.text


def test_close_by_member_forbidden(sign_in, committee, screening_job, archive):
    decide_all(archive, screening_job)
    member = sign_in("gpc.reader")

    response = member.post(_path(BASE + "/{a}/close", screening_job))

    assert response.status_code == 403
    assert messages(archive, "screening_passed") == []


# --- the committee -------------------------------------------------------------------------------


def _user_id(archive, username: str) -> int:
    with archive.db.session(write=False) as session:
        return support.staff(session, username).id


COMMITTEE_CASES = (
    ({"members": "x", "chair": "1"}, "The member list contains %(value)r, which is not a user; choose members from "
                                     "the list.", {"value": "x"}),
    ({"members": "99999", "chair": "99999"}, "Users %(ids)s are not active staff of a recruitment department; choose "
                                             "members from the list.", {"ids": "99999"}),
    ({"chair": "abc"}, "Choose the committee's chair.", {}),
    ({}, "Choose at least one member for the committee.", {}),
)


def test_committee_bad_input(sign_in, screening_job, archive):
    admin = sign_in("gpc.admin")

    found = _outcomes(admin, _path(BASE + "/{a}/committee", screening_job), COMMITTEE_CASES)

    assert found == {number: (422, True) for number in range(len(COMMITTEE_CASES))}
    assert _audit(archive, "screening_committee_save") == []


def test_committee_chair_not_member(sign_in, screening_job, archive):
    admin = sign_in("gpc.admin")

    response = admin.post(_path(BASE + "/{a}/committee", screening_job),
                          {"members": str(_user_id(archive, "gpc.reader")), "chair": str(_user_id(archive, CHAIR))})

    assert response.status_code == 422
    assert arabic("The chair must be one of the members you chose; tick them as a member.") in response.text


def test_committee_saved_by_page(sign_in, screening_job, archive):
    admin = sign_in("gpc.admin")
    reader, clerk = _user_id(archive, "gpc.reader"), _user_id(archive, CHAIR)

    response = admin.http.post(_path(BASE + "/{a}/committee", screening_job),
                               data={"csrf_token": admin.csrf, "members": [str(reader), str(clerk)],
                                     "chair": str(clerk)}, follow_redirects=False)

    with archive.db.session(write=False) as session:
        saved = session.scalar(select(ScreeningCommittee))
    assert response.status_code == 303
    assert saved.chair_id == clerk


def test_committee_reader_forbidden(sign_in, screening_job, archive):
    reader = sign_in("gpc.reader")

    response = reader.post(_path(BASE + "/{a}/committee", screening_job),
                           {"members": str(_user_id(archive, "gpc.reader")), "chair": str(_user_id(archive, CHAIR))})

    assert response.status_code == 403


# --- the reason catalogue ------------------------------------------------------------------------


REASON_CASES = (
    ({"label_ar": "", "label_en": "Reason"}, "Write the reason's label in this language.", {}),
    ({"label_ar": "سبب", "label_en": ""}, "Write the reason's label in this language.", {}),
    ({"label_ar": "Reason", "label_en": "Reason"}, "The Arabic label %(label)r has no Arabic letters; write it in "
                                                   "Arabic.", {"label": "Reason"}),
    ({"label_ar": "س" * 121, "label_en": "Long"}, "The label has %(length)d characters; use at most %(maximum)d.",
     {"length": 121, "maximum": 120}),
    ({"label_ar": "الخبرة غير كافية", "label_en": "Experience"},
     "The reason %(label)r is already in the list; use it instead of adding it again.", {"label": "الخبرة غير كافية"}),
)


def test_reason_bad_input(sign_in, gpc, archive):
    admin = sign_in("gpc.admin")

    found = _outcomes(admin, BASE + "/reasons", REASON_CASES)

    assert found == {number: (422, True) for number in range(len(REASON_CASES))}
    assert _audit(archive, "rejection_reason_add") == []


def test_reason_added_and_retired(sign_in, gpc, archive):
    admin = sign_in("gpc.admin")

    added = admin.post(BASE + "/reasons", {"label_ar": "تجاوز السن القانونية", "label_en": "Above the legal age"})
    with archive.db.session(write=False) as session:
        reason = session.scalar(select(RejectionReason).where(RejectionReason.label_en == "Above the legal age"))
    retired = admin.post(f"{BASE}/reasons/{reason.id}/retire")

    assert added.status_code == 303
    assert retired.status_code == 303
    assert "تجاوز السن القانونية" in admin.get(BASE + "/reasons").text


def test_reason_reader_forbidden(sign_in, gpc):
    reader = sign_in("gpc.reader")

    response = reader.post(BASE + "/reasons", {"label_ar": "سبب جديد", "label_en": "New reason"})

    assert response.status_code == 403


# --- sessions ------------------------------------------------------------------------------------


@pytest.fixture
def screened(archive, chair, screening_job):
    decide_all(archive, screening_job)
    response = chair.post(_path(BASE + "/{a}/close", screening_job))
    assert response.status_code == 303
    return screening_job


def test_sessions_before_closing(chair, screening_job):
    response = chair.get(_path(BASE + "/{a}/sessions", screening_job))

    assert response.status_code == 409
    assert arabic("The screening of announcement %(number)s is not closed yet, so sessions and results cannot "
                  "start; the committee's chair closes it once every application is decided.",
                  number="147/2026") in response.text


def _session_form(**changes) -> dict:
    return {"kind": "exam", "place": "رام الله", "starts_at": "2090-07-01T09:30", "capacity": "10", **changes}


SESSION_CASES = (
    (_session_form(kind="party"), "Session kind %(value)r is unknown; choose exam or interview.", {"value": "party"}),
    (_session_form(place=""), "Write where the session takes place.", {}),
    (_session_form(starts_at="2020-07-01T09:30"),
     "The session start %(value)s is in the past; choose a later date and time.", {"value": "2020-07-01T09:30"}),
    (_session_form(starts_at="soon"),
     "The %(field)s %(value)r is not a date and time; use YYYY-MM-DD HH:MM in Palestine time.",
     {"field": translated("session start"), "value": "soon"}),
    (_session_form(capacity="0"), "The capacity %(value)r is invalid; enter a whole number from 1 to %(maximum)d.",
     {"value": "0", "maximum": 1000}),
)


def test_session_bad_input(chair, screened, archive):
    found = _outcomes(chair, _path(BASE + "/{a}/sessions", screened), SESSION_CASES)

    assert found == {number: (422, True) for number in range(len(SESSION_CASES))}
    assert _audit(archive, "assessment_session_add") == []


def test_seat_bad_number(chair, screened, archive):
    chair.post(_path(BASE + "/{a}/sessions", screened),
               {"kind": "exam", "place": "رام الله", "starts_at": "2090-07-01T09:30", "capacity": "10"})

    response = chair.post(_path(BASE + "/{a}/sessions/seat", screened), {"session": "1", "number": "2026-999-00001"})

    assert response.status_code == 409
    assert arabic("No application has the number %(number)s; check it and try again.",
                  number="2026-999-00001") in response.text
    assert messages(archive, "exam_scheduled") == []


def test_seat_rejected_by_page(chair, screened, archive):
    chair.post(_path(BASE + "/{a}/sessions", screened),
               {"kind": "exam", "place": "رام الله", "starts_at": "2090-07-01T09:30", "capacity": "10"})

    response = chair.post(_path(BASE + "/{a}/sessions/seat", screened),
                          {"session": "1", "number": screened.applications["sara"].number})

    assert response.status_code == 409
    assert messages(archive, "exam_scheduled") == []


# --- the applicant's dashboard -------------------------------------------------------------------


def test_dashboard_hides_working_decision(applicant_browser, committee, screening_job, archive):
    decide_as(archive, CHAIR, screening_job.announcement_id, screening_job.applications["omar"].id, "rejected",
              reason_id(archive, EXPERIENCE), "ملاحظة داخلية")
    browser = applicant_browser()
    browser.sign_in(screening_job.applications["omar"].national_id)

    page = browser.get("/applicant/applications")

    assert page.status_code == 200
    assert "الخبرة غير كافية" not in page.text
    assert "ملاحظة داخلية" not in page.text
    assert arabic("Screening committee: rejected") not in page.text


def test_dashboard_shows_outcome(applicant_browser, screened, chair, archive):
    chair.post(_path(BASE + "/{a}/sessions", screened),
               {"kind": "exam", "place": "قاعة الديوان في غزة", "starts_at": "2090-07-01T09:30", "capacity": "10"})
    chair.post(_path(BASE + "/{a}/sessions/in-order", screened), {"kind": "exam"})
    rejected, accepted = applicant_browser(), applicant_browser()
    rejected.sign_in(screened.applications["sara"].national_id)
    accepted.sign_in(screened.applications["huda"].national_id)

    rejected_page = rejected.get("/applicant/applications").text
    accepted_page = accepted.get("/applicant/applications").text

    assert "لم تُرفق شهادة خبرة مصدقة" in rejected_page
    # Sara chose English, so her pages are in English.
    assert english("Reason: %(reason)s", reason=EXPERIENCE) in rejected_page
    assert english("Did not pass the screening") in rejected_page
    assert arabic("Passed the screening") in accepted_page
    assert arabic("Screening result") in accepted_page
    assert "قاعة الديوان في غزة" in accepted_page
    assert "2090-07-01 09:30" in accepted_page
