"""Staff pages for announcements: who may see and change them, the form with bad input in every
field, and publishing, closing and extending from the browser."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from archive_api.audit.models import AuditEntry
from archive_api.timeutil import to_local
from recruitment.announcements.models import Announcement
from tests.recruitment import test_announcements_fixtures as support
from tests.recruitment.test_announcements_fixtures import offset_changes, stored, valid_values
from tests.web import conftest as web
from tests.web.pages import arabic, translated

app = web.app
new_client = web.new_client
gpc = support.gpc
outsiders = support.outsiders
sign_in = support.sign_in
make_announcement = support.make_announcement

STAFF_PAGES = ["/recruitment/announcements", "/recruitment/announcements/new", "/recruitment/announcements/{id}",
               "/recruitment/announcements/{id}/edit"]
STAFF_FORMS = ["/recruitment/announcements/new", "/recruitment/announcements/{id}/edit",
               "/recruitment/announcements/{id}/publish", "/recruitment/announcements/{id}/close",
               "/recruitment/announcements/{id}/extend"]


def _field_error(page: str, field: str) -> str | None:
    match = re.search(rf'<p id="f-{field}-error" class="field-error">([^<]*)</p>', page)
    return match.group(1) if match else None


def _announcements(archive) -> list[Announcement]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(Announcement)))


# --- who may see and change ----------------------------------------------------------------------


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_pages_send_visitors_to_sign_in(new_client, make_announcement, path):
    announcement_id = make_announcement(state="draft")

    response = new_client().get(path.format(id=announcement_id), follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", STAFF_FORMS)
def test_forms_send_visitors_to_sign_in(new_client, make_announcement, archive, path):
    announcement_id = make_announcement(state="draft")

    response = new_client().http.post(path.format(id=announcement_id), data=valid_values(), follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert stored(archive, announcement_id).status == "draft"


@pytest.mark.parametrize("path", STAFF_PAGES + ["/recruitment/statistics"])
def test_pages_refuse_other_departments(sign_in, outsiders, make_announcement, path):
    announcement_id = make_announcement(state="draft")
    browser = sign_in("hr.admin")

    response = browser.get(path.format(id=announcement_id))

    assert response.status_code == 403
    assert arabic("This page is for staff of the recruitment department only; ask an administrator for access.") \
        in response.text


@pytest.mark.parametrize("path", STAFF_FORMS)
def test_forms_refuse_other_departments(sign_in, outsiders, make_announcement, archive, path):
    announcement_id = make_announcement(state="draft")
    browser = sign_in("hr.admin")

    response = browser.post(path.format(id=announcement_id), valid_values(number="9/2026"))

    assert response.status_code == 403
    assert stored(archive, announcement_id).status == "draft"
    assert len(_announcements(archive)) == 1


@pytest.mark.parametrize("path", STAFF_FORMS)
def test_forms_refuse_recruitment_reader(sign_in, make_announcement, archive, path):
    announcement_id = make_announcement(state="draft")
    browser = sign_in("gpc.reader")

    response = browser.post(path.format(id=announcement_id), valid_values(number="9/2026"))

    assert response.status_code == 403
    assert arabic("Only administrators and clerks of the recruitment department can change announcements.") \
        in response.text
    assert len(_announcements(archive)) == 1


def test_reader_sees_list_and_page(sign_in, make_announcement):
    announcement_id = make_announcement(state="draft")
    browser = sign_in("gpc.reader")

    listing = browser.get("/recruitment/announcements")
    page = browser.get(f"/recruitment/announcements/{announcement_id}")

    assert listing.status_code == 200
    assert "147/2026" in listing.text
    assert page.status_code == 200
    assert "/publish" not in page.text


def test_form_needs_csrf_token(sign_in, archive, gpc):
    browser = sign_in("gpc.clerk")

    response = browser.http.post("/recruitment/announcements/new", data=valid_values(), follow_redirects=False)

    assert response.status_code == 403
    assert _announcements(archive) == []


def test_nav_links_for_recruitment_staff(sign_in, outsiders, gpc):
    staff = sign_in("gpc.reader").get("/recruitment/announcements").text
    other = sign_in("hr.admin").get("/search").text

    assert 'href="/recruitment/announcements"' in staff
    assert 'href="/recruitment/statistics"' in staff
    assert 'href="/recruitment/announcements"' not in other
    assert 'href="/jobs"' in other


# --- the form ------------------------------------------------------------------------------------


def test_create_draft_fromvalid_values(sign_in, archive, gpc):
    browser = sign_in("gpc.clerk")

    response = browser.post("/recruitment/announcements/new", valid_values())

    assert response.status_code == 303
    created = _announcements(archive)
    assert len(created) == 1
    assert created[0].status == "draft"
    assert response.headers["location"] == f"/recruitment/announcements/{created[0].id}?done=saved"
    page = browser.get(response.headers["location"]).text
    assert arabic("The draft was saved.") in page
    assert arabic("Draft, not public") in page


@pytest.mark.parametrize(
    ("field", "value", "msgid", "params"),
    [
        ("number", "", "Enter the announcement number, such as 147/2026.", {}),
        ("number", "147-2026", "Announcement number %(value)r is invalid; use the sequence and the year, such as "
                               "147/2026.", {"value": "147-2026"}),
        ("title_ar", "", "Enter the Arabic title of the job.", {}),
        ("title_ar", "Clerk", "The Arabic title %(value)r has no Arabic letters; write the title in Arabic.",
         {"value": "Clerk"}),
        ("title_en", "x" * 301, "This field has %(length)d characters; shorten it to %(maximum)d characters or "
                                "fewer.", {"length": 301, "maximum": 300}),
        ("ministry", "", "Choose the ministry that announces the job.", {}),
        ("ministry", "ZZZ", "Ministry %(value)r does not exist; choose one from the list.", {"value": "ZZZ"}),
        ("unit", "x" * 201, "This field has %(length)d characters; shorten it to %(maximum)d characters or fewer.",
         {"length": 201, "maximum": 200}),
        ("vacancies", "", "Enter the number of vacancies.", {}),
        ("vacancies", "many", "The number of vacancies %(value)r is not a whole number; enter 1 or more.",
         {"value": "many"}),
        ("vacancies", "0", "The number of vacancies is %(value)d; an announcement needs at least 1 vacancy.",
         {"value": 0}),
        ("governorate", "", "Choose the governorate of the job.", {}),
        ("governorate", "eilat", "Governorate %(value)r is unknown; choose one from the list.", {"value": "eilat"}),
        ("grade", "x" * 65, "This field has %(length)d characters; shorten it to %(maximum)d characters or fewer.",
         {"length": 65, "maximum": 64}),
        ("description", "x" * 20_001, "This field has %(length)d characters; shorten it to %(maximum)d characters "
                                      "or fewer.", {"length": 20_001, "maximum": 20_000}),
        ("degree_level", "bsc", "Degree level %(value)r is unknown; choose one from the list.", {"value": "bsc"}),
        ("majors", "x" * 201, "The major %(value)r is longer than %(maximum)d characters; shorten it.",
         {"value": "x" * 40 + "…", "maximum": 200}),
        ("min_experience_years", "1.5", "The minimum years of experience %(value)r is not a whole number; enter 0 "
                                        "or more.", {"value": "1.5"}),
        ("min_experience_years", "-3", "The minimum years of experience is %(value)d; enter 0 or more.",
         {"value": -3}),
        ("required_documents", ["cv"], "Document kind %(value)r is unknown; choose from the list.", {"value": "cv"}),
        ("opens_at", "", "Enter the %(field)s as a date and time in Palestine time, such as 2026-05-01 08:00.",
         {"field": translated("opening time")}),
        ("opens_at", "01/05/2090", "The %(field)s %(value)r is not a date and time; use YYYY-MM-DD HH:MM in "
                                   "Palestine time.", {"field": translated("opening time"), "value": "01/05/2090"}),
        ("opens_at", "2027-03-27T02:15", "The %(field)s %(value)s does not exist in Palestine time: the clocks move "
         "forward one hour that night for daylight saving time. Choose another time, such as %(suggestion)s.",
         {"field": translated("opening time"), "value": "2027-03-27 02:15", "suggestion": "2027-03-27 03:15"}),
        ("closes_at", "", "Enter the %(field)s as a date and time in Palestine time, such as 2026-05-01 08:00.",
         {"field": translated("closing time")}),
        ("closes_at", "2090-04-01T08:00", "The closing time %(closes)s is not after the opening time %(opens)s; set "
         "a later closing time.", {"closes": "2090-04-01 08:00", "opens": "2090-05-01 08:00"}),
    ],
)
def test_form_field_bad_input(sign_in, archive, gpc, field, value, msgid, params):
    browser = sign_in("gpc.clerk")

    response = browser.post("/recruitment/announcements/new", valid_values(**{field: value}))

    assert response.status_code == 422
    if field == "required_documents":
        assert arabic(msgid, **params) in response.text
    else:
        assert _field_error(response.text, field) == arabic(msgid, **params)
        assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', response.text)
    assert _announcements(archive) == []


def test_form_keeps_typed_values(sign_in, gpc):
    browser = sign_in("gpc.clerk")

    page = browser.post("/recruitment/announcements/new", valid_values(vacancies="0")).text

    assert 'value="147/2026"' in page
    assert "المحاسبة\nالعلوم المالية والمصرفية</textarea>" in page
    assert re.search(r'value="national_id" checked', page)
    assert not re.search(r'value="photo" checked', page)
    assert re.search(r'<option value="MOH" selected>', page)


def test_duplicate_number_invalid_values(sign_in, make_announcement, gpc):
    make_announcement()
    browser = sign_in("gpc.clerk")

    response = browser.post("/recruitment/announcements/new", valid_values())

    assert response.status_code == 422
    assert _field_error(response.text, "number") == arabic(
        "Announcement number %(value)s is already used by another announcement; check the number.", value="147/2026")


def test_edit_draft_fromvalid_values(sign_in, archive, make_announcement):
    announcement_id = make_announcement(state="draft")
    browser = sign_in("gpc.admin")

    form = browser.get(f"/recruitment/announcements/{announcement_id}/edit").text
    response = browser.post(f"/recruitment/announcements/{announcement_id}/edit", valid_values(vacancies="7"))

    assert 'value="147/2026"' in form
    assert response.status_code == 303
    assert stored(archive, announcement_id).vacancies == 7


def test_edit_published_refused(sign_in, archive, make_announcement):
    announcement_id = make_announcement()
    browser = sign_in("gpc.clerk")

    form = browser.get(f"/recruitment/announcements/{announcement_id}/edit", follow_redirects=False)
    response = browser.post(f"/recruitment/announcements/{announcement_id}/edit", valid_values(vacancies="7"))

    assert form.status_code == 303
    assert response.status_code == 409
    assert arabic("Announcement %(number)s is already published, so only its closing time can be extended.",
                  number="147/2026") in response.text
    assert stored(archive, announcement_id).vacancies == 3


# --- publish, close, extend ------------------------------------------------------------------------


def test_publish_close_extend_flow(sign_in, archive, make_announcement):
    announcement_id = make_announcement(state="draft")
    browser = sign_in("gpc.clerk")
    base = f"/recruitment/announcements/{announcement_id}"

    published = browser.post(f"{base}/publish")
    extended = browser.post(f"{base}/extend", {"closes_at": "2095-01-01T10:00"})
    closed = browser.post(f"{base}/close")

    assert published.headers["location"] == f"{base}?done=published"
    assert extended.headers["location"] == f"{base}?done=extended"
    assert closed.headers["location"] == f"{base}?done=closed"
    assert stored(archive, announcement_id).status == "closed"
    with archive.db.session(write=False) as session:
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(announcement_id))))
    assert actions == ["announcement_create", "announcement_publish", "announcement_extend", "announcement_close"]
    page = browser.get(f"{base}?done=closed").text
    assert arabic("The announcement is closed; it no longer accepts applications.") in page
    assert arabic("This announcement was closed before its closing time; it can no longer be changed.") in page


def test_publish_past_window_shows_reason(sign_in, archive, gpc):
    browser = sign_in("gpc.clerk")
    past = valid_values(opens_at="2020-01-01T08:00", closes_at="2020-02-01T08:00")
    browser.post("/recruitment/announcements/new", past)
    announcement_id = _announcements(archive)[0].id

    response = browser.post(f"/recruitment/announcements/{announcement_id}/publish")

    assert response.status_code == 422
    assert arabic("Announcement %(number)s closes at %(closes)s, which has passed; set a later closing time, "
                  "then publish.", number="147/2026", closes="2020-02-01 08:00") in response.text
    assert stored(archive, announcement_id).status == "draft"


@pytest.mark.parametrize(
    ("value", "msgid", "params"),
    [
        ("", "Enter the %(field)s as a date and time in Palestine time, such as 2026-05-01 08:00.",
         {"field": translated("new closing time")}),
        ("soon", "The %(field)s %(value)r is not a date and time; use YYYY-MM-DD HH:MM in Palestine time.",
         {"field": translated("new closing time"), "value": "soon"}),
        ("2090-05-19T14:00", "The new closing time %(value)s is not after the current one, %(current)s; a "
         "published announcement can only be extended.", {"value": "2090-05-19 14:00", "current": "2090-05-20 14:00"}),
    ],
)
def test_extend_bad_input(sign_in, archive, make_announcement, value, msgid, params):
    announcement_id = make_announcement(closes_at=datetime(2090, 5, 20, 11, 0))
    browser = sign_in("gpc.clerk")

    response = browser.post(f"/recruitment/announcements/{announcement_id}/extend", {"closes_at": value})

    assert response.status_code == 422
    assert _field_error(response.text, "closes_at") == arabic(msgid, **params)
    assert stored(archive, announcement_id).closes_at == datetime(2090, 5, 20, 11, 0)


def test_extend_into_spring_gap(sign_in, archive, make_announcement):
    announcement_id = make_announcement(closes_at=datetime(2090, 5, 20, 11, 0))
    spring = offset_changes(2091)[0]
    skipped = (to_local(spring) - timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M")
    browser = sign_in("gpc.clerk")

    response = browser.post(f"/recruitment/announcements/{announcement_id}/extend", {"closes_at": skipped})

    assert response.status_code == 422
    assert f"{skipped[:11]}" in _field_error(response.text, "closes_at")
    assert stored(archive, announcement_id).closes_at == datetime(2090, 5, 20, 11, 0)


def test_list_filters_by_status(sign_in, make_announcement):
    make_announcement(number="1/2026", state="draft")
    make_announcement(number="2/2026", state="published")
    make_announcement(number="3/2026", state="closed")
    browser = sign_in("gpc.reader")

    drafts = browser.get("/recruitment/announcements?status=draft").text
    everything = browser.get("/recruitment/announcements").text

    assert "1/2026" in drafts
    assert "2/2026" not in drafts
    for number in ("1/2026", "2/2026", "3/2026"):
        assert number in everything
