"""Password reset by SMS code, responding the same way whether or not the national ID has an account."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from archive_api.accounts.passwords import verify_password
from recruitment.applicants.codes import CODE_LIFETIME
from recruitment.applicants.models import Applicant, OneTimeCode
from tests.recruitment import test_applicant_fixtures as support
from tests.recruitment.test_applicant_fixtures import APPLICANT_PASSWORD, last_code, outbox
from tests.web.pages import arabic
from web.throttle import MAX_FAILURES

app = support.app
applicant_browser = support.applicant_browser
client = support.client
fresh_throttles = support.fresh_throttles
make_applicant = support.make_applicant
new_client = support.new_client
signed_in = support.signed_in

NEW_PASSWORD = "Nablus soap 1950"
FAILED = "The national ID number or the code is wrong, or the code has expired; check the SMS or ask for a new code."
UNKNOWN_ID = "400123451"


def _ask(browser, national_id: str):
    token = browser.presession_token("/applicant/reset-password")
    return browser.http.post("/applicant/reset-password", data={"national_id": national_id, "csrf_token": token},
                             follow_redirects=False)


def _reset(browser, national_id: str, code: str, password: str = NEW_PASSWORD, again: str | None = None):
    token = browser.presession_token("/applicant/reset-password/confirm")
    data = {"national_id": national_id, "code": code, "password": password,
            "password_again": password if again is None else again, "csrf_token": token}
    return browser.http.post("/applicant/reset-password/confirm", data=data, follow_redirects=False)


def _neutral(html: str, national_id: str) -> str:
    """Remove what differs between two responses by design: tokens and the typed ID."""
    html = re.sub(r'content="[^"]*"|value="[^"]*"|"X-CSRF-Token": "[^"]*"', "", html)
    return html.replace(national_id, "ID")


def _stored(archive, national_id) -> Applicant:
    with archive.db.session(write=False) as session:
        return session.scalar(select(Applicant).where(Applicant.national_id == national_id))


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_request_same_answer(applicant_browser, make_applicant):
    national_id = make_applicant()
    browser = applicant_browser()

    existing = _ask(browser, national_id)
    unknown = _ask(browser, UNKNOWN_ID)

    assert existing.status_code == unknown.status_code == 200
    assert _neutral(existing.text, national_id) == _neutral(unknown.text, UNKNOWN_ID)
    assert arabic("If this national ID number has an account, a code was sent by SMS to its mobile number. The code "
                  "works for 10 minutes.") in unknown.text


def test_request_sends_code(applicant_browser, make_applicant, archive):
    national_id = make_applicant()

    _ask(applicant_browser(), national_id)

    messages = outbox(archive, national_id)
    assert messages[-1].template == "password_reset_code"
    assert messages[-1].stage == "password_reset"


def test_request_english_code(applicant_browser, make_applicant, archive):
    national_id = make_applicant(language="en")

    _ask(applicant_browser(), national_id)

    assert outbox(archive, national_id)[-1].body.startswith("Diwan password reset code: ")


def test_request_unknown_sends_nothing(applicant_browser, archive):
    _ask(applicant_browser(), UNKNOWN_ID)

    assert outbox(archive) == []


def test_request_in_cooldown_same_answer(applicant_browser, make_applicant, archive):
    national_id = make_applicant()
    browser = applicant_browser()
    first = _ask(browser, national_id)

    second = _ask(browser, national_id)

    assert second.status_code == 200
    assert _neutral(second.text, national_id) == _neutral(first.text, national_id)
    assert [message.template for message in outbox(archive, national_id)].count("password_reset_code") == 1


@pytest.mark.parametrize(
    ("typed", "msgid", "params"),
    [
        ("", "Enter your national ID number (9 digits).", {}),
        ("1234", "The national ID number %(value)s is not 9 digits; copy it from your identity card.",
         {"value": "1234"}),
        ("123456789", "The national ID number %(value)s is not valid (its last digit does not match); check each "
         "digit against your identity card.", {"value": "123456789"}),
    ],
)
def test_request_bad_id(applicant_browser, typed, msgid, params):
    response = _ask(applicant_browser(), typed)

    assert response.status_code == 422
    assert arabic(msgid, **params) in response.text


def test_request_without_csrf(applicant_browser, make_applicant, archive):
    national_id = make_applicant()

    response = applicant_browser().http.post("/applicant/reset-password", data={"national_id": national_id},
                                             follow_redirects=False)

    assert response.status_code == 403
    assert [message.template for message in outbox(archive, national_id)] == ["sign_up_code"]


def test_reset_changes_password(applicant_browser, make_applicant, archive):
    national_id = make_applicant()
    browser = applicant_browser()
    _ask(browser, national_id)

    response = _reset(browser, national_id, last_code(archive, national_id))

    applicant = _stored(archive, national_id)
    assert response.status_code == 303
    assert response.headers["location"] == "/applicant/sign-in?notice=reset"
    assert verify_password(applicant.password_hash, NEW_PASSWORD)
    assert not verify_password(applicant.password_hash, APPLICANT_PASSWORD)
    assert outbox(archive, national_id)[-1].template == "password_changed"


def test_reset_notice_on_sign_in(applicant_browser, make_applicant, archive):
    national_id = make_applicant()
    browser = applicant_browser()
    _ask(browser, national_id)
    _reset(browser, national_id, last_code(archive, national_id))

    response = browser.get("/applicant/sign-in?notice=reset")

    assert arabic("Your password was changed. Sign in with the new password.") in response.text


def test_reset_ends_sessions(signed_in, applicant_browser, archive):
    signed_browser, national_id = signed_in()
    other = applicant_browser()
    _ask(other, national_id)

    _reset(other, national_id, last_code(archive, national_id))

    assert signed_browser.get("/applicant/profile", follow_redirects=False).status_code == 303


def test_reset_confirms_mobile(applicant_browser, make_applicant, archive):
    national_id = make_applicant(confirmed=False)
    browser = applicant_browser()
    _ask(browser, national_id)

    _reset(browser, national_id, last_code(archive, national_id))

    assert _stored(archive, national_id).mobile_confirmed_at is not None


def test_wrong_code_same_as_unknown(applicant_browser, make_applicant, archive):
    national_id = make_applicant()
    browser = applicant_browser()
    _ask(browser, national_id)

    wrong = _reset(browser, national_id, _wrong(last_code(archive, national_id)))
    unknown = _reset(browser, UNKNOWN_ID, "123456")

    assert wrong.status_code == unknown.status_code == 422
    assert arabic(FAILED) in wrong.text
    assert _neutral(wrong.text, national_id) == _neutral(unknown.text, UNKNOWN_ID)


def test_expired_code_same_message(applicant_browser, make_applicant, archive):
    national_id = make_applicant()
    browser = applicant_browser()
    _ask(browser, national_id)
    code = last_code(archive, national_id)
    with archive.db.session() as session:
        for row in session.scalars(select(OneTimeCode)):
            row.expires_at -= CODE_LIFETIME + timedelta(seconds=1)

    response = _reset(browser, national_id, code)

    assert response.status_code == 422
    assert arabic(FAILED) in response.text
    assert verify_password(_stored(archive, national_id).password_hash, APPLICANT_PASSWORD)


def test_code_works_once(applicant_browser, make_applicant, archive):
    national_id = make_applicant()
    browser = applicant_browser()
    _ask(browser, national_id)
    code = last_code(archive, national_id)
    _reset(browser, national_id, code)

    response = _reset(browser, national_id, code, "Hebron glass 1900")

    assert response.status_code == 422
    assert verify_password(_stored(archive, national_id).password_hash, NEW_PASSWORD)


def test_reset_throttled(applicant_browser, make_applicant, archive):
    national_id = make_applicant()
    browser = applicant_browser()
    _ask(browser, national_id)
    code = last_code(archive, national_id)
    for _ in range(MAX_FAILURES):
        _reset(browser, national_id, _wrong(code))

    response = _reset(browser, national_id, code)

    assert response.status_code == 429
    assert arabic("Too many wrong codes for this national ID number; wait %(minutes)d minutes and ask for a new "
                  "code.", minutes=15) in response.text


def test_unknown_id_throttled_too(applicant_browser):
    browser = applicant_browser()
    for _ in range(MAX_FAILURES):
        _reset(browser, UNKNOWN_ID, "123456")

    assert _reset(browser, UNKNOWN_ID, "123456").status_code == 429


def test_weak_password_keeps_code(applicant_browser, make_applicant, archive):
    national_id = make_applicant()
    browser = applicant_browser()
    _ask(browser, national_id)
    code = last_code(archive, national_id)

    weak = _reset(browser, national_id, code, "short")
    strong = _reset(browser, national_id, code)

    assert weak.status_code == 422
    assert arabic("The password is too short; use at least %(minimum)d characters.", minimum=10) in weak.text
    assert strong.status_code == 303


@pytest.mark.parametrize(
    ("field", "data", "msgid", "params"),
    [
        ("national_id", {"national_id": ""}, "Enter your national ID number (9 digits).", {}),
        ("code", {"code": ""}, "Enter the %(digits)d-digit code from the SMS.", {"digits": 6}),
        ("code", {"code": "12 34"}, "The code has %(digits)d digits; type it exactly as the SMS shows it.",
         {"digits": 6}),
        ("password", {"password": "", "again": ""}, "The password is too short; use at least %(minimum)d "
         "characters.", {"minimum": 10}),
        ("password_again", {"again": "Nablus soap 1951"}, "The two passwords differ; type the same password twice.",
         {}),
    ],
)
def test_reset_field_rejected(applicant_browser, field, data, msgid, params):
    values = {"national_id": UNKNOWN_ID, "code": "123456", "password": NEW_PASSWORD, **data}

    response = _reset(applicant_browser(), values["national_id"], values["code"], values["password"],
                      values.get("again"))

    assert response.status_code == 422
    assert arabic(msgid, **params) in response.text
    assert f'aria-describedby="f-{field}' in response.text


def test_reset_password_with_own_id(applicant_browser, make_applicant, archive):
    national_id = make_applicant()

    response = _reset(applicant_browser(), national_id, "123456", f"pass {national_id}")

    assert arabic("The password contains your national ID number, which others may know; choose another "
                  "password.") in response.text
