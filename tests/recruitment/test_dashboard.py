"""The applicant's dashboard and application page: status, history, documents, messages, open jobs."""

import pytest

from tests.recruitment import test_applications_fixtures as support
from tests.recruitment.test_applications_fixtures import submit
from tests.web.pages import arabic, translated

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

DASHBOARD = "/applicant/applications"


@pytest.fixture
def applied(archive, job, qualified, applicant_browser):
    """An applicant who applied to `job`, signed in; returns (browser, application id)."""
    national_id = qualified()
    application_id, _number, _created = submit(archive, national_id, job)
    browser = applicant_browser()
    browser.sign_in(national_id)
    return browser, application_id


def test_lists_application(applied):
    browser, application_id = applied

    page = browser.get(DASHBOARD)

    assert page.status_code == 200
    assert "2026-147-00001" in page.text
    assert "محاسب/ة" in page.text
    assert translated("Submitted") in page.text
    assert f'href="/applicant/applications/{application_id}"' in page.text


def test_shows_history(applied, archive):
    browser, application_id = applied
    browser.post(f"/applicant/applications/{application_id}/withdraw")

    page = browser.get(DASHBOARD)

    assert arabic("Application submitted") in page.text
    assert arabic("Application withdrawn") in page.text
    assert f'href="/jobs/{1}/apply"' in page.text


def test_links_documents_and_messages(applied):
    browser, _application_id = applied

    page = browser.get(DASHBOARD)

    assert 'href="/applicant/documents"' in page.text
    assert 'href="/applicant/messages"' in page.text
    assert arabic("You keep %(count)d documents; each application uses the versions current when you submitted "
                  "it.", count=2) in page.text


def test_shows_confirmation_message(applied):
    browser, _application_id = applied

    page = browser.get(DASHBOARD)

    assert "وصل طلبك لوظيفة محاسب/ة" in page.text


def test_lists_other_open_jobs(archive, applied, make_announcement):
    browser, _application_id = applied
    other = make_announcement(number="150/2026", title_ar="ممرض/ة")

    page = browser.get(DASHBOARD)

    assert f'href="/jobs/{other}/apply"' in page.text
    assert 'href="/jobs/1/apply"' not in page.text


def test_empty_dashboard(archive, gpc, qualified, applicant_browser):
    browser = applicant_browser()
    browser.sign_in(qualified())

    page = browser.get(DASHBOARD)

    assert arabic("You have not applied to any job yet.") in page.text
    assert arabic("No other job is open for applications now.") in page.text


def test_dashboard_arabic_rtl(applied):
    browser, _application_id = applied

    page = browser.get(DASHBOARD)

    assert '<html lang="ar" dir="rtl">' in page.text
    assert 'href="/applicant/applications" aria-current="page"' in page.text


def test_dashboard_in_english(archive, job, qualified, applicant_browser):
    national_id = qualified(language="en")
    submit(archive, national_id, job)
    browser = applicant_browser()
    browser.sign_in(national_id)
    browser.post("/applicant/language", {"lang": "en", "next": DASHBOARD})

    page = browser.get(DASHBOARD)

    assert '<html lang="en" dir="ltr">' in page.text
    assert "Accountant" in page.text
    assert "My applications" in page.text


def test_application_page_snapshot(applied):
    browser, application_id = applied

    page = browser.get(f"{DASHBOARD}/{application_id}")

    assert page.status_code == 200
    assert "ليلى محمود عبد الرحمن الخطيب" in page.text
    assert "جامعة بيرزيت" in page.text
    assert arabic("Your profile as submitted") in page.text


def test_application_page_documents(applied, archive):
    browser, application_id = applied

    page = browser.get(f"{DASHBOARD}/{application_id}")

    assert page.text.count("/thumbnail") == 2
    assert page.text.count('/file"') == 2


def test_application_page_withdraw_link(applied):
    browser, application_id = applied

    page = browser.get(f"{DASHBOARD}/{application_id}")

    assert f'href="/applicant/applications/{application_id}/withdraw"' in page.text


def test_unknown_notice_ignored(applied):
    browser, application_id = applied

    page = browser.get(f"{DASHBOARD}/{application_id}?done=<script>")

    assert page.status_code == 200
    assert "<script>" not in page.text.split("<main", 1)[-1].split("</main>")[0]


@pytest.mark.parametrize("path", [DASHBOARD, f"{DASHBOARD}/1"])
def test_logged_out_sent_to_sign_in(client, gpc, path):
    response = client.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == f"/applicant/sign-in?next={path}"


@pytest.mark.parametrize("path", [DASHBOARD, f"{DASHBOARD}/1"])
def test_staff_user_sent_to_sign_in(archive, job, sign_in, path):
    staff = sign_in("gpc.reader")

    response = staff.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/applicant/sign-in")


def test_unconfirmed_sent_to_confirm(archive, gpc, qualified, applicant_browser):
    browser = applicant_browser()
    browser.sign_in(qualified(confirmed=False), landing="/applicant/confirm")

    response = browser.get(DASHBOARD, follow_redirects=False)

    assert response.headers["location"] == "/applicant/confirm"


def test_others_not_listed(archive, job, qualified, applicant_browser):
    submit(archive, qualified(), job)
    browser = applicant_browser()
    browser.sign_in(qualified())

    page = browser.get(DASHBOARD)

    assert "2026-147-00001" not in page.text
