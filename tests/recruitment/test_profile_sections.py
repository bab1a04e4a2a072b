"""The CV sections: add, edit and delete with HTMX or plain forms, each field checked, own entries only."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from recruitment.applicants.models import Applicant, Education, Experience, LanguageSkill, Skill, Training
from recruitment.applicants.personal import council_today
from recruitment.applicants.profile import MAX_SKILLS, SECTIONS, save_entry
from tests.recruitment import test_applicant_fixtures as support
from tests.web.pages import arabic, translated

app = support.app
applicant_browser = support.applicant_browser
client = support.client
fresh_throttles = support.fresh_throttles
make_applicant = support.make_applicant
new_client = support.new_client
recruiters = support.recruiters
signed_in = support.signed_in

TODAY = council_today()
THIS_YEAR = TODAY.year
FUTURE_DAY = (TODAY + timedelta(days=2)).isoformat()

VALID = {
    "education": {"degree_level": "bachelor", "major": "المحاسبة", "institution": "جامعة بيرزيت",
                  "graduation_year": "2020", "grade": "جيد جدًا"},
    "experience": {"employer": "بلدية رام الله", "job_title": "محاسب", "start_date": "2020-09-01",
                   "end_date": "2023-08-31", "description": "إعداد القيود اليومية"},
    "training": {"title": "إدارة المشاريع", "provider": "جامعة النجاح", "year": "2022", "hours": "40"},
    "languages": {"language": "الإنجليزية", "level": "very_good"},
    "skills": {"name": "Microsoft Excel"},
}
MODELS = {"education": Education, "experience": Experience, "training": Training, "languages": LanguageSkill,
          "skills": Skill}


def _rows(archive, section: str) -> list:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(MODELS[section]).order_by(MODELS[section].id)))


def _add(archive, national_id: str, section: str, **changes) -> int:
    with archive.db.session() as session:
        applicant = session.scalar(select(Applicant).where(Applicant.national_id == national_id))
        return save_entry(session, applicant, SECTIONS[section], {**VALID[section], **changes}).id


def test_profile_page_personal_data(signed_in):
    browser, national_id = signed_in()

    response = browser.get("/applicant/profile")

    assert response.status_code == 200
    assert arabic("Personal data") in response.text
    assert national_id in response.text
    assert "ليلى محمود عبد الرحمن الخطيب" in response.text
    assert "0599 123 456" in response.text


def test_welcome_notice(signed_in):
    browser, _national_id = signed_in()

    response = browser.get("/applicant/profile?notice=welcome")

    assert arabic("Your mobile number is confirmed. Welcome to Diwan; fill in your profile once and use it for "
                  "every application.") in response.text


@pytest.mark.parametrize("section", list(VALID))
def test_add_with_htmx(signed_in, archive, section):
    browser, _national_id = signed_in()

    response = browser.htmx(f"/applicant/profile/{section}", VALID[section])

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<section class="panel" id="section-{section}"')
    assert len(_rows(archive, section)) == 1


@pytest.mark.parametrize("section", list(VALID))
def test_add_without_javascript(signed_in, archive, section):
    browser, _national_id = signed_in()

    response = browser.post(f"/applicant/profile/{section}", VALID[section])

    assert response.status_code == 303
    assert response.headers["location"] == f"/applicant/profile#section-{section}"
    assert len(_rows(archive, section)) == 1


def test_added_values_stored(signed_in, archive):
    browser, _national_id = signed_in()

    browser.htmx("/applicant/profile/education", {**VALID["education"], "graduation_year": "٢٠١٩"})

    row = _rows(archive, "education")[0]
    assert (row.degree_level, row.major, row.graduation_year, row.grade) == ("bachelor", "المحاسبة", 2019, "جيد جدًا")


def test_current_job_has_no_end(signed_in, archive):
    browser, _national_id = signed_in()

    browser.htmx("/applicant/profile/experience", {**VALID["experience"], "current": "1", "end_date": "2021-01-01"})

    assert _rows(archive, "experience")[0].end_date is None


def test_edit_form_shows_values(signed_in, archive):
    browser, national_id = signed_in()
    entry_id = _add(archive, national_id, "training")

    response = browser.get(f"/applicant/profile/training/{entry_id}/edit", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert 'id="edit-training-title" name="title" type="text" value="إدارة المشاريع"' in response.text


def test_edit_without_javascript(signed_in, archive):
    browser, national_id = signed_in()
    entry_id = _add(archive, national_id, "training")

    response = browser.get(f"/applicant/profile/training/{entry_id}/edit", follow_redirects=False)
    page = browser.get(response.headers["location"])

    assert response.headers["location"] == f"/applicant/profile?edit=training:{entry_id}#section-training"
    assert 'id="edit-training-title"' in page.text


def test_update_entry(signed_in, archive):
    browser, national_id = signed_in()
    entry_id = _add(archive, national_id, "languages")

    response = browser.htmx(f"/applicant/profile/languages/{entry_id}", {"language": "الفرنسية", "level": "basic"})

    row = _rows(archive, "languages")[0]
    assert response.status_code == 200
    assert (row.language, row.level) == ("الفرنسية", "basic")


def test_update_rejected_keeps_row(signed_in, archive):
    browser, national_id = signed_in()
    entry_id = _add(archive, national_id, "languages")

    response = browser.htmx(f"/applicant/profile/languages/{entry_id}", {"language": "", "level": "basic"})

    assert response.status_code == 422
    assert arabic("Enter the %(field)s.", field=translated("language")) in response.text
    assert 'id="edit-languages-language"' in response.text
    assert _rows(archive, "languages")[0].language == "الإنجليزية"


def test_delete_entry(signed_in, archive):
    browser, national_id = signed_in()
    entry_id = _add(archive, national_id, "skills")

    response = browser.htmx(f"/applicant/profile/skills/{entry_id}/delete")

    assert response.status_code == 200
    assert _rows(archive, "skills") == []


def test_delete_without_javascript(signed_in, archive):
    browser, national_id = signed_in()
    entry_id = _add(archive, national_id, "skills")

    response = browser.post(f"/applicant/profile/skills/{entry_id}/delete")

    assert response.headers["location"] == "/applicant/profile#section-skills"
    assert _rows(archive, "skills") == []


FIELD_CASES = [
    ("education", "degree_level", "", "Choose the %(field)s.", {"field": "degree level"}),
    ("education", "degree_level", "phd", "Choose the %(field)s from the list; %(value)r is not one of the choices.",
     {"field": "degree level", "value": "phd"}),
    ("education", "major", "", "Enter the %(field)s.", {"field": "major"}),
    ("education", "major", "م" * 201, "The %(field)s is %(length)d characters long; shorten it to %(maximum)d.",
     {"field": "major", "length": 201, "maximum": 200}),
    ("education", "institution", "   ", "Enter the %(field)s.", {"field": "university or school"}),
    ("education", "graduation_year", "", "Enter the %(field)s.", {"field": "graduation year"}),
    ("education", "graduation_year", "20x0", "The %(field)s %(value)s is not a year from %(first)d to %(last)d.",
     {"field": "graduation year", "value": "20x0", "first": 2008, "last": THIS_YEAR}),
    ("education", "graduation_year", str(THIS_YEAR + 1), "The %(field)s %(value)s is not a year from %(first)d to "
     "%(last)d.", {"field": "graduation year", "value": str(THIS_YEAR + 1), "first": 2008, "last": THIS_YEAR}),
    ("education", "graduation_year", "2005", "The %(field)s %(value)s is not a year from %(first)d to %(last)d.",
     {"field": "graduation year", "value": "2005", "first": 2008, "last": THIS_YEAR}),
    ("education", "grade", "ج" * 33, "The %(field)s is %(length)d characters long; shorten it to %(maximum)d.",
     {"field": "grade", "length": 33, "maximum": 32}),
    ("experience", "employer", "", "Enter the %(field)s.", {"field": "employer"}),
    ("experience", "job_title", "", "Enter the %(field)s.", {"field": "job title"}),
    ("experience", "start_date", "", "Enter the %(field)s.", {"field": "start date"}),
    ("experience", "start_date", "2020-13-01", "The %(field)s %(value)r is not a date; write it as YYYY-MM-DD, for "
     "example 2019-07-21.", {"field": "start date", "value": "2020-13-01"}),
    ("experience", "start_date", FUTURE_DAY, "The %(field)s %(value)s is in the future; check the date.",
     {"field": "start date", "value": FUTURE_DAY}),
    ("experience", "start_date", "2005-01-01", "The %(field)s %(value)s is too early (before %(earliest)s); check "
     "the year.", {"field": "start date", "value": "2005-01-01", "earliest": "2012-04-23"}),
    ("experience", "end_date", "", "Enter the %(field)s.", {"field": "end date"}),
    ("experience", "end_date", FUTURE_DAY, "The %(field)s %(value)s is in the future; check the date.",
     {"field": "end date", "value": FUTURE_DAY}),
    ("experience", "end_date", "2019-01-01", "The end date %(value)s is before the start date %(start)s; check both "
     "dates.", {"value": "2019-01-01", "start": "2020-09-01"}),
    ("experience", "description", "و" * 2001, "The %(field)s is %(length)d characters long; shorten it to "
     "%(maximum)d.", {"field": "description", "length": 2001, "maximum": 2000}),
    ("training", "title", "", "Enter the %(field)s.", {"field": "course title"}),
    ("training", "provider", "", "Enter the %(field)s.", {"field": "training provider"}),
    ("training", "year", "1949", "The %(field)s %(value)s is not a year from %(first)d to %(last)d.",
     {"field": "year", "value": "1949", "first": 2008, "last": THIS_YEAR}),
    ("training", "hours", "0", "The %(field)s %(value)s is not a whole number from %(minimum)d to %(maximum)d.",
     {"field": "number of hours", "value": "0", "minimum": 1, "maximum": 5000}),
    ("training", "hours", "12.5", "The %(field)s %(value)s is not a whole number from %(minimum)d to %(maximum)d.",
     {"field": "number of hours", "value": "12.5", "minimum": 1, "maximum": 5000}),
    ("training", "hours", "-3", "The %(field)s %(value)s is not a whole number from %(minimum)d to %(maximum)d.",
     {"field": "number of hours", "value": "-3", "minimum": 1, "maximum": 5000}),
    ("languages", "language", "", "Enter the %(field)s.", {"field": "language"}),
    ("languages", "level", "", "Choose the %(field)s.", {"field": "level"}),
    ("languages", "level", "fluent", "Choose the %(field)s from the list; %(value)r is not one of the choices.",
     {"field": "level", "value": "fluent"}),
    ("skills", "name", "", "Enter the %(field)s.", {"field": "skill"}),
    ("skills", "name", "س" * 101, "The %(field)s is %(length)d characters long; shorten it to %(maximum)d.",
     {"field": "skill", "length": 101, "maximum": 100}),
]


@pytest.mark.parametrize(("section", "field", "value", "msgid", "params"), FIELD_CASES)
def test_field_rejected(signed_in, archive, section, field, value, msgid, params):
    browser, _national_id = signed_in()
    if "field" in params:
        params = {**params, "field": translated(params["field"])}

    response = browser.htmx(f"/applicant/profile/{section}", {**VALID[section], field: value})

    assert response.status_code == 422
    assert arabic(msgid, **params) in response.text
    assert f'id="add-{section}-{field}-error"' in response.text
    assert _rows(archive, section) == []


def test_rejected_form_keeps_values(signed_in):
    browser, _national_id = signed_in()

    response = browser.htmx("/applicant/profile/education", {**VALID["education"], "graduation_year": "1800"})

    assert 'value="جامعة بيرزيت"' in response.text
    assert "<details open>" in response.text


def test_rejected_without_javascript_full_page(signed_in, archive):
    browser, _national_id = signed_in()

    response = browser.post("/applicant/profile/skills", {"name": ""})

    assert response.status_code == 422
    assert "<html" in response.text
    assert arabic("Enter the %(field)s.", field=translated("skill")) in response.text


def test_duplicate_language(signed_in, archive):
    browser, national_id = signed_in()
    _add(archive, national_id, "languages")

    response = browser.htmx("/applicant/profile/languages", {"language": " الإنجليزية ", "level": "good"})

    assert response.status_code == 422
    assert arabic("%(value)s is already in your list; edit that entry instead.", value="الإنجليزية") in response.text


def test_duplicate_skill_ignores_case(signed_in, archive):
    browser, national_id = signed_in()
    _add(archive, national_id, "skills")

    response = browser.htmx("/applicant/profile/skills", {"name": "microsoft excel"})

    assert response.status_code == 422
    assert len(_rows(archive, "skills")) == 1


def test_section_full(signed_in, archive):
    browser, national_id = signed_in()
    for number in range(MAX_SKILLS):
        _add(archive, national_id, "skills", name=f"skill {number}")

    response = browser.htmx("/applicant/profile/skills", {"name": "one more"})

    assert response.status_code == 422
    assert arabic("%(section)s can hold at most %(maximum)d entries; delete one before adding another.",
                  section=translated("Skills"), maximum=MAX_SKILLS) in response.text


def test_unknown_section(signed_in):
    browser, _national_id = signed_in()

    response = browser.htmx("/applicant/profile/hobbies", {"name": "chess"})

    assert response.status_code == 404


@pytest.mark.parametrize("section", list(VALID))
def test_other_applicant_entry_not_found(signed_in, archive, make_applicant, section):
    browser, _national_id = signed_in()
    other = make_applicant(mobile="0569000111")
    entry_id = _add(archive, other, section)

    edit = browser.get(f"/applicant/profile/{section}/{entry_id}/edit", headers={"HX-Request": "true"})
    update = browser.post(f"/applicant/profile/{section}/{entry_id}", VALID[section])
    delete = browser.post(f"/applicant/profile/{section}/{entry_id}/delete")

    assert (edit.status_code, update.status_code, delete.status_code) == (404, 404, 404)
    assert len(_rows(archive, section)) == 1
    assert arabic("This entry was not found in your profile; reload the page.") in delete.text


def test_other_applicant_entries_hidden(signed_in, archive, make_applicant):
    browser, _national_id = signed_in()
    other = make_applicant(mobile="0569000111")
    _add(archive, other, "skills", name="مهارة خاصة بغيري")

    response = browser.get("/applicant/profile")

    assert "مهارة خاصة بغيري" not in response.text


def test_experience_total_on_page(signed_in, archive):
    browser, national_id = signed_in()
    _add(archive, national_id, "experience", start_date="2019-01-01", end_date="2020-12-31")
    _add(archive, national_id, "experience", start_date="2020-01-01", end_date="2021-12-31")

    response = browser.get("/applicant/profile")

    assert arabic("%(years)d years and %(months)d months", years=3, months=0) in response.text


def test_profile_update_without_csrf(signed_in, archive):
    browser, _national_id = signed_in()

    response = browser.http.post("/applicant/profile/skills", data={"name": "Excel"}, follow_redirects=False)

    assert response.status_code == 403
    assert _rows(archive, "skills") == []


APPLICANT_PAGES = ["/applicant/profile", "/applicant/documents", "/applicant/messages", "/applicant/confirm",
                   "/applicant/profile/skills", "/applicant/documents/1", "/applicant/documents/1/versions/1/file",
                   "/applicant/documents/1/versions/1/thumbnail"]


@pytest.mark.parametrize("path", APPLICANT_PAGES)
def test_visitor_refused(applicant_browser, path):
    response = applicant_browser().get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/applicant/sign-in?next=")


@pytest.mark.parametrize("path", APPLICANT_PAGES)
def test_staff_refused(new_client, recruiters, path):
    staff = new_client()
    staff.login("hr.clerk")

    response = staff.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/applicant/sign-in?next=")
