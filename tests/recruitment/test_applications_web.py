"""The apply and withdraw pages: checks shown before submitting, refusals with reasons, own ids only."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from archive_api.timeutil import utcnow
from recruitment.applications.models import Application
from recruitment.notify.models import SmsMessage
from tests.recruitment import test_applications_fixtures as support
from tests.recruitment.test_applications_fixtures import shown_moment, stored_application, submit, window_of
from tests.web.pages import arabic, translated
from web.recruitment import applications as apply_pages

app = support.app
applicant_browser = support.applicant_browser
client = support.client
fresh_throttles = support.fresh_throttles
gpc = support.gpc
job = support.job
make_announcement = support.make_announcement
make_applicant = support.make_applicant
new_client = support.new_client
outsiders = support.outsiders
qualified = support.qualified
sign_in = support.sign_in

HISTORY = ({"degree_level": "bachelor", "major": "التاريخ", "institution": "جامعة بيت لحم",
            "graduation_year": "2018", "grade": ""},)


@pytest.fixture
def browser_of(applicant_browser):
    """Return a factory: a browser signed in as the applicant with this national ID."""

    def make(national_id: str):
        browser = applicant_browser()
        browser.sign_in(national_id)
        return browser

    return make


@pytest.fixture
def clock(monkeypatch):
    """Return a function that stops the apply pages' clock at a naive UTC instant."""

    def stop_at(moment):
        monkeypatch.setattr(apply_pages, "now_utc", lambda: moment)

    return stop_at


def _count(archive, model, *conditions) -> int:
    with archive.db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model).where(*conditions))


def _confirmations(archive) -> int:
    return _count(archive, SmsMessage, SmsMessage.template == "application_received")


def _only_application(archive) -> Application:
    with archive.db.session(write=False) as session:
        return session.scalars(select(Application)).one()


# --- the apply page ------------------------------------------------------------------------------


def test_page_shows_checks(archive, job, qualified, browser_of):
    browser = browser_of(qualified())

    page = browser.get(f"/jobs/{job}/apply")

    assert page.status_code == 200
    assert 'class="requirement requirement-met"' in page.text
    assert "requirement-unmet" not in page.text
    assert f'action="/jobs/{job}/apply"' in page.text
    assert arabic("Submit my application") in page.text


def test_page_explains_missing(archive, job, qualified, browser_of):
    browser = browser_of(qualified(documents=("national_id",), education=HISTORY))

    page = browser.get(f"/jobs/{job}/apply")

    assert page.status_code == 200
    assert page.text.count('class="requirement requirement-unmet"') == 2
    assert "التاريخ" in page.text
    assert translated("Degree certificate") in page.text
    assert f'action="/jobs/{job}/apply"' not in page.text


def test_page_in_arabic_rtl(archive, job, qualified, browser_of):
    page = browser_of(qualified()).get(f"/jobs/{job}/apply")

    assert '<html lang="ar" dir="rtl">' in page.text
    assert 'name="viewport"' in page.text


def test_page_lists_documents(archive, job, qualified, browser_of):
    page = browser_of(qualified()).get(f"/jobs/{job}/apply")

    assert arabic("version %(number)d", number=1) in page.text
    assert page.text.count(arabic("version %(number)d", number=1)) == 2


# --- submitting ----------------------------------------------------------------------------------


def test_submit_redirects_to_application(archive, job, qualified, browser_of):
    browser = browser_of(qualified())

    response = browser.post(f"/jobs/{job}/apply")

    application = _only_application(archive)
    assert response.status_code == 303
    assert response.headers["location"] == f"/applicant/applications/{application.id}?done=submitted"
    assert _confirmations(archive) == 1


def test_submit_page_shows_number(archive, job, qualified, browser_of):
    browser = browser_of(qualified())
    response = browser.post(f"/jobs/{job}/apply")

    page = browser.get(response.headers["location"])

    assert "2026-147-00001" in page.text
    assert arabic("Your application was submitted. An SMS with its number is on its way to your mobile.") in page.text


def test_resubmitted_form_idempotent(archive, job, qualified, browser_of):
    browser = browser_of(qualified())
    first = browser.post(f"/jobs/{job}/apply")

    second = browser.post(f"/jobs/{job}/apply")

    application = _only_application(archive)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == f"/applicant/applications/{application.id}?done=already"
    assert _count(archive, Application) == 1
    assert _confirmations(archive) == 1


def test_page_after_applying(archive, job, qualified, browser_of):
    browser = browser_of(qualified())
    browser.post(f"/jobs/{job}/apply")

    page = browser.get(f"/jobs/{job}/apply")

    assert "2026-147-00001" in page.text
    assert f'action="/jobs/{job}/apply"' not in page.text


def test_submit_without_csrf(archive, job, qualified, browser_of):
    browser = browser_of(qualified())

    response = browser.http.post(f"/jobs/{job}/apply", data={}, follow_redirects=False)

    assert response.status_code == 403
    assert _count(archive, Application) == 0


def test_submit_with_wrong_csrf(archive, job, qualified, browser_of):
    browser = browser_of(qualified())

    response = browser.http.post(f"/jobs/{job}/apply", data={"csrf_token": "x" * 43}, follow_redirects=False)

    assert response.status_code == 403
    assert _count(archive, Application) == 0


@pytest.mark.parametrize(("changes", "msgid"), [
    ({"education": HISTORY}, "This job accepts only these majors: %(majors)s. The majors in your profile at the "
                             "required degree level are not among them: %(yours)s."),
    ({"documents": ("diploma",)}, "This job requires a document of the kind “%(kind)s”, and you have not uploaded "
                                  "one; upload it on the My documents page."),
    ({"jobs": ()}, "This job requires %(required)d years of experience, and your profile adds up to %(years)d years "
                   "and %(months)d months; add any missing jobs in the work experience section of your profile."),
    ({"education": ()}, "Required degree: %(required)s or higher, but your profile lists no degree; add your "
                        "degrees in the education section of your profile."),
])
def test_ineligible_submit_explained(archive, job, qualified, browser_of, changes, msgid):
    browser = browser_of(qualified(**changes))

    response = browser.post(f"/jobs/{job}/apply")

    template = translated(msgid).split("%(")[0]
    assert response.status_code == 422
    assert arabic("Your profile does not meet the requirements of announcement %(number)s; see each reason below, "
                  "complete your profile or documents, then apply again.", number="147/2026") in response.text
    assert template in response.text
    assert _count(archive, Application) == 0
    assert _confirmations(archive) == 0


# --- the window, on the server ---------------------------------------------------------------------


def test_submit_at_closing_refused(archive, job, qualified, browser_of, clock):
    browser = browser_of(qualified())
    _opens, closes = window_of(archive, job)
    clock(closes)

    response = browser.post(f"/jobs/{job}/apply")

    closes_text = shown_moment(closes)
    assert response.status_code == 409
    assert arabic("Applications for announcement %(number)s closed on %(closes)s, Palestine time, so no new "
                  "application can be submitted; look for open jobs on the jobs page.",
                  number="147/2026", closes=closes_text) in response.text
    assert _count(archive, Application) == 0
    assert _confirmations(archive) == 0


def test_submit_just_before_closing(archive, job, qualified, browser_of, clock):
    browser = browser_of(qualified())
    _opens, closes = window_of(archive, job)
    clock(closes - timedelta(seconds=1))

    response = browser.post(f"/jobs/{job}/apply")

    assert response.status_code == 303
    assert _count(archive, Application) == 1


def test_submit_after_closing_refused(archive, job, qualified, browser_of, clock):
    browser = browser_of(qualified())
    _opens, closes = window_of(archive, job)
    clock(closes + timedelta(days=1))

    response = browser.post(f"/jobs/{job}/apply")

    assert response.status_code == 409
    assert _count(archive, Application) == 0


def test_submit_before_opening_refused(archive, make_announcement, qualified, browser_of):
    announcement_id = make_announcement(opens_at=utcnow() + timedelta(days=1), closes_at=utcnow() + timedelta(days=5))
    browser = browser_of(qualified())

    page = browser.get(f"/jobs/{announcement_id}/apply")
    response = browser.post(f"/jobs/{announcement_id}/apply")

    assert f'action="/jobs/{announcement_id}/apply"' not in page.text
    assert response.status_code == 409
    assert _count(archive, Application) == 0


def test_closed_page_has_no_form(archive, job, qualified, browser_of, clock):
    browser = browser_of(qualified())
    _opens, closes = window_of(archive, job)
    clock(closes)

    page = browser.get(f"/jobs/{job}/apply")

    assert f'action="/jobs/{job}/apply"' not in page.text
    assert "job-window-closed" in page.text


# --- unknown, draft and other people's ids -----------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_draft_not_found(archive, make_announcement, qualified, browser_of, method):
    announcement_id = make_announcement(state="draft")
    browser = browser_of(qualified())

    response = getattr(browser, method)(f"/jobs/{announcement_id}/apply")

    assert response.status_code == 404
    assert _count(archive, Application) == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_job_not_found(archive, gpc, qualified, browser_of, method):
    browser = browser_of(qualified())

    response = getattr(browser, method)("/jobs/987654/apply")

    assert response.status_code == 404


def test_logged_out_sent_to_sign_in(archive, job, client):
    response = client.get(f"/jobs/{job}/apply", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == f"/applicant/sign-in?next=/jobs/{job}/apply"


def test_logged_out_post_refused(archive, job, client):
    response = client.http.post(f"/jobs/{job}/apply", data={}, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/applicant/sign-in")
    assert _count(archive, Application) == 0


def test_staff_session_is_not_applicant(archive, job, sign_in):
    staff = sign_in("gpc.clerk")

    response = staff.get(f"/jobs/{job}/apply", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/applicant/sign-in")


def test_unconfirmed_sent_to_confirm(archive, job, qualified, applicant_browser):
    national_id = qualified(confirmed=False)
    browser = applicant_browser()
    browser.sign_in(national_id, landing="/applicant/confirm")

    response = browser.get(f"/jobs/{job}/apply", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/applicant/confirm"


@pytest.mark.parametrize("path", ["/applicant/applications/{id}", "/applicant/applications/{id}/withdraw"])
def test_others_application_not_found(archive, job, qualified, browser_of, path):
    owner = qualified()
    application_id, _number, _created = submit(archive, owner, job)
    other = browser_of(qualified())

    response = other.get(path.format(id=application_id))

    assert response.status_code == 404
    assert "2026-147-00001" not in response.text


def test_others_withdraw_refused(archive, job, qualified, browser_of):
    owner = qualified()
    application_id, _number, _created = submit(archive, owner, job)
    other = browser_of(qualified())

    response = other.post(f"/applicant/applications/{application_id}/withdraw")

    assert response.status_code == 404
    assert stored_application(archive, application_id).status == "submitted"


def test_missing_application_not_found(archive, gpc, qualified, browser_of):
    response = browser_of(qualified()).get("/applicant/applications/424242")

    assert response.status_code == 404


# --- withdrawing -------------------------------------------------------------------------------------


def test_withdraw_asks_first(archive, job, qualified, browser_of):
    national_id = qualified()
    application_id, _number, _created = submit(archive, national_id, job)

    page = browser_of(national_id).get(f"/applicant/applications/{application_id}/withdraw")

    assert page.status_code == 200
    assert arabic("Yes, withdraw my application") in page.text
    assert stored_application(archive, application_id).status == "submitted"


def test_withdraw_confirmed(archive, job, qualified, browser_of):
    national_id = qualified()
    application_id, _number, _created = submit(archive, national_id, job)
    browser = browser_of(national_id)

    response = browser.post(f"/applicant/applications/{application_id}/withdraw")

    assert response.status_code == 303
    assert response.headers["location"] == f"/applicant/applications/{application_id}?done=withdrawn"
    assert stored_application(archive, application_id).status == "withdrawn"


def test_withdraw_without_csrf(archive, job, qualified, browser_of):
    national_id = qualified()
    application_id, _number, _created = submit(archive, national_id, job)
    browser = browser_of(national_id)

    response = browser.http.post(f"/applicant/applications/{application_id}/withdraw", data={},
                                 follow_redirects=False)

    assert response.status_code == 403
    assert stored_application(archive, application_id).status == "submitted"


def test_withdraw_after_closing_refused(archive, job, qualified, browser_of, clock):
    national_id = qualified()
    _opens, closes = window_of(archive, job)
    application_id, number, _created = submit(archive, national_id, job, now=closes - timedelta(hours=1))
    browser = browser_of(national_id)
    clock(closes)

    response = browser.post(f"/applicant/applications/{application_id}/withdraw")

    closes_text = shown_moment(closes)
    assert response.status_code == 409
    assert arabic("Application %(number)s can no longer be withdrawn, because applications for this job closed on "
                  "%(closes)s, Palestine time.", number=number, closes=closes_text) in response.text
    assert stored_application(archive, application_id).status == "submitted"


def test_withdrawn_submitted_again(archive, job, qualified, browser_of):
    national_id = qualified()
    browser = browser_of(national_id)
    browser.post(f"/jobs/{job}/apply")
    application = _only_application(archive)
    browser.post(f"/applicant/applications/{application.id}/withdraw")

    page = browser.get(f"/jobs/{job}/apply")
    response = browser.post(f"/jobs/{job}/apply")

    again = _only_application(archive)
    assert arabic("Submit my application again") in page.text
    assert response.headers["location"] == f"/applicant/applications/{application.id}?done=submitted"
    assert again.number == application.number
    assert again.status == "submitted"
    assert _confirmations(archive) == 2
