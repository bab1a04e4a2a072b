"""Applicant sign-in and sign-out: one message for every failure, throttling, sessions kept apart from staff."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from archive_api.api.deps import SESSION_COOKIE
from recruitment.applicants.models import Applicant, ApplicantSession
from tests.recruitment import test_applicant_fixtures as support
from tests.recruitment.test_applicant_fixtures import APPLICANT_PASSWORD
from tests.web.pages import arabic
from web.recruitment.applicants_deps import APPLICANT_COOKIE
from web.throttle import MAX_FAILURES

app = support.app
applicant_browser = support.applicant_browser
client = support.client
fresh_throttles = support.fresh_throttles
make_applicant = support.make_applicant
new_client = support.new_client
recruiters = support.recruiters
signed_in = support.signed_in

WRONG = "Wrong national ID number or password."


def _sign_in(browser, national_id: str, password: str = APPLICANT_PASSWORD, next_path: str = ""):
    token = browser.presession_token()
    return browser.http.post(
        "/applicant/sign-in",
        data={"national_id": national_id, "password": password, "csrf_token": token, "next": next_path},
        follow_redirects=False,
    )


def test_page_arabic(applicant_browser):
    response = applicant_browser().get("/applicant/sign-in")

    assert response.status_code == 200
    assert arabic("Sign in to your applicant account") in response.text


def test_sign_in_success(applicant_browser, make_applicant):
    national_id = make_applicant()

    response = _sign_in(applicant_browser(), national_id)

    assert response.status_code == 303
    assert response.headers["location"] == "/applicant/profile"
    assert APPLICANT_COOKIE in response.cookies
    assert SESSION_COOKIE not in response.cookies


def test_sign_in_arabic_digits(applicant_browser, make_applicant):
    national_id = make_applicant()

    response = _sign_in(applicant_browser(), national_id.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))

    assert response.status_code == 303


def test_sign_in_follows_next(applicant_browser, make_applicant):
    national_id = make_applicant()

    response = _sign_in(applicant_browser(), national_id, next_path="/applicant/documents")

    assert response.headers["location"] == "/applicant/documents"


def test_sign_in_ignores_foreign_next(applicant_browser, make_applicant):
    national_id = make_applicant()

    response = _sign_in(applicant_browser(), national_id, next_path="//elsewhere.example/")

    assert response.headers["location"] == "/applicant/profile"


def test_unconfirmed_goes_to_confirm(applicant_browser, make_applicant):
    national_id = make_applicant(confirmed=False)

    response = _sign_in(applicant_browser(), national_id, next_path="/applicant/documents")

    assert response.headers["location"] == "/applicant/confirm"


def test_wrong_password(applicant_browser, make_applicant):
    national_id = make_applicant()

    response = _sign_in(applicant_browser(), national_id, "not the password")

    assert response.status_code == 401
    assert arabic(WRONG) in response.text
    assert APPLICANT_COOKIE not in response.cookies


def test_unknown_id_same_answer(applicant_browser, make_applicant):
    national_id = make_applicant()
    browser = applicant_browser()
    wrong_password = _sign_in(browser, national_id, "not the password")

    unknown = _sign_in(browser, "123456782")

    assert unknown.status_code == wrong_password.status_code
    assert arabic(WRONG) in unknown.text


def test_closed_account_refused(applicant_browser, make_applicant, archive):
    national_id = make_applicant()
    with archive.db.session() as session:
        session.scalar(select(Applicant).where(Applicant.national_id == national_id)).active = False

    response = _sign_in(applicant_browser(), national_id)

    assert response.status_code == 401
    assert arabic(WRONG) in response.text


@pytest.mark.parametrize(
    ("national_id", "password", "field", "msgid", "params"),
    [
        ("", "x", "national_id", "Enter your national ID number (9 digits).", {}),
        ("12345", "x", "national_id", "The national ID number %(value)s is not 9 digits; copy it from your identity "
         "card.", {"value": "12345"}),
        ("123456789", "x", "national_id", "The national ID number %(value)s is not valid (its last digit does not "
         "match); check each digit against your identity card.", {"value": "123456789"}),
        ("123456782", "", "password", "Enter your password.", {}),
    ],
)
def test_sign_in_field_rejected(applicant_browser, national_id, password, field, msgid, params):
    response = _sign_in(applicant_browser(), national_id, password)

    assert response.status_code == 422
    assert arabic(msgid, **params) in response.text
    assert f'aria-describedby="f-{field}-error"' in response.text


def test_sign_in_without_csrf(applicant_browser, make_applicant):
    national_id = make_applicant()

    response = applicant_browser().http.post(
        "/applicant/sign-in", data={"national_id": national_id, "password": APPLICANT_PASSWORD},
        follow_redirects=False,
    )

    assert response.status_code == 403


def test_throttled_after_failures(applicant_browser, make_applicant):
    national_id = make_applicant()
    browser = applicant_browser()
    for _ in range(MAX_FAILURES):
        assert _sign_in(browser, national_id, "not the password").status_code == 401

    response = _sign_in(browser, national_id)

    assert response.status_code == 429
    assert arabic("Too many failed sign-ins with this national ID number; wait %(minutes)d minutes, or reset your "
                  "password.", minutes=15) in response.text
    assert APPLICANT_COOKIE not in response.cookies


def test_throttle_counts_unknown_ids(applicant_browser):
    browser = applicant_browser()
    for _ in range(MAX_FAILURES):
        _sign_in(browser, "123456782")

    assert _sign_in(browser, "123456782").status_code == 429


def test_success_clears_failures(applicant_browser, make_applicant):
    national_id = make_applicant()
    browser = applicant_browser()
    for _ in range(MAX_FAILURES - 1):
        _sign_in(browser, national_id, "not the password")
    _sign_in(browser, national_id)
    browser.http.cookies.clear()

    assert _sign_in(browser, national_id, "not the password").status_code == 401


def test_sign_out_ends_session(signed_in, archive):
    browser, _national_id = signed_in()
    cookie = browser.http.cookies.get(APPLICANT_COOKIE)

    response = browser.post("/applicant/sign-out")
    browser.http.cookies.set(APPLICANT_COOKIE, cookie)
    after = browser.get("/applicant/profile", follow_redirects=False)

    assert response.headers["location"] == "/applicant/sign-in?notice=signed_out"
    assert after.status_code == 303
    assert after.headers["location"].startswith("/applicant/sign-in?next=")


def test_sign_out_without_csrf(signed_in):
    browser, _national_id = signed_in()

    response = browser.http.post("/applicant/sign-out", follow_redirects=False)

    assert response.status_code == 403
    assert browser.get("/applicant/profile").status_code == 200


def test_expired_session_refused(signed_in, archive):
    browser, _national_id = signed_in()
    with archive.db.session() as session:
        for row in session.scalars(select(ApplicantSession)):
            row.expires_at -= timedelta(hours=9)

    response = browser.get("/applicant/profile", follow_redirects=False)

    assert response.headers["location"] == "/applicant/sign-in?next=/applicant/profile"


def test_visitor_redirected_with_next(applicant_browser):
    response = applicant_browser().get("/applicant/documents", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/applicant/sign-in?next=/applicant/documents"


def test_visitor_htmx_gets_hx_redirect(applicant_browser):
    response = applicant_browser().http.post(
        "/applicant/profile/skills", data={"name": "Excel"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/applicant/profile"},
        follow_redirects=False,
    )

    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/applicant/sign-in?next=/applicant/profile"


def test_applicant_cookie_not_staff(signed_in):
    browser, _national_id = signed_in()

    response = browser.get("/search", follow_redirects=False)

    assert response.headers["location"].startswith("/login")


def test_staff_session_not_applicant(new_client, recruiters):
    staff = new_client()
    staff.login("gpc.clerk")

    response = staff.get("/applicant/profile", follow_redirects=False)

    assert response.headers["location"].startswith("/applicant/sign-in")


def test_staff_csrf_token_refused(signed_in, new_client, recruiters):
    browser, _national_id = signed_in()
    staff = new_client()
    staff.login("gpc.clerk")

    response = browser.http.post("/applicant/profile/skills", data={"name": "Excel", "csrf_token": staff.csrf},
                                 follow_redirects=False)

    assert response.status_code == 403


def test_language_stored_on_account(signed_in, archive):
    browser, national_id = signed_in()

    response = browser.post("/applicant/language", {"lang": "en", "next": "/applicant/documents"})

    with archive.db.session(write=False) as session:
        language = session.scalar(select(Applicant.language).where(Applicant.national_id == national_id))
    assert response.headers["location"] == "/applicant/documents"
    assert language == "en"
    assert '<html lang="en" dir="ltr">' in browser.get("/applicant/documents").text


def test_language_unknown_rejected(signed_in):
    browser, _national_id = signed_in()

    response = browser.post("/applicant/language", {"lang": "fr"})

    assert response.status_code == 400


def test_language_switch_uses_applicant_form(signed_in):
    browser, _national_id = signed_in()

    page = browser.get("/applicant/profile").text

    assert 'action="/applicant/language"' in page
    assert f'content="{browser.csrf}"' in page
