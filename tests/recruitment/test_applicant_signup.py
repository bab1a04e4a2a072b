"""Sign-up: every field checked, one account per national ID, the confirmation SMS, and its limits."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from archive_api.accounts.passwords import verify_password
from archive_api.api.deps import SESSION_COOKIE
from recruitment.applicants import accounts
from recruitment.applicants.errors import AccountExists
from recruitment.applicants.models import Applicant
from recruitment.applicants.personal import add_years, council_today
from tests.recruitment import test_applicant_fixtures as support
from tests.recruitment.test_applicant_fixtures import APPLICANT_PASSWORD, csrf_of, outbox, sign_up_values
from tests.web.pages import arabic
from web.recruitment.applicants_deps import APPLICANT_COOKIE
from web.recruitment.applicants_throttles import MAX_SIGN_UPS_PER_HOUR

app = support.app
applicant_browser = support.applicant_browser
client = support.client
fresh_throttles = support.fresh_throttles
make_applicant = support.make_applicant
new_client = support.new_client

TODAY = council_today()


def _sign_up(browser, **changes):
    token = csrf_of(browser.get("/applicant/sign-up").text)
    values = sign_up_values(**changes)
    response = browser.http.post("/applicant/sign-up", data={**values, "csrf_token": token}, follow_redirects=False)
    return response, values


def _accounts(archive) -> list[Applicant]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(Applicant)))


def test_page_arabic_rtl(applicant_browser):
    response = applicant_browser().get("/applicant/sign-up")

    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in response.text
    assert arabic("Create an applicant account") in response.text


def test_sign_up_creates_account(applicant_browser, archive):
    response, values = _sign_up(applicant_browser(), national_id="١٢٣٤٥٦٧٨٢", mobile="+972 59-912-3456")

    accounts = _accounts(archive)
    assert response.status_code == 303
    assert response.headers["location"] == "/applicant/confirm"
    assert len(accounts) == 1
    assert accounts[0].national_id == "123456782"
    assert accounts[0].mobile == "+970599123456"
    assert accounts[0].mobile_confirmed_at is None
    assert verify_password(accounts[0].password_hash, APPLICANT_PASSWORD)


def test_sign_up_sets_applicant_cookie_only(applicant_browser):
    response, _values = _sign_up(applicant_browser())

    assert APPLICANT_COOKIE in response.cookies
    assert SESSION_COOKIE not in response.cookies


def test_sign_up_queues_arabic_code(applicant_browser, archive):
    _response, values = _sign_up(applicant_browser())

    messages = outbox(archive, values["national_id"])
    assert [message.template for message in messages] == ["sign_up_code"]
    assert messages[0].stage == "sign_up"
    assert messages[0].body.startswith("رمز تأكيد جوالك في ديوان: ")
    assert messages[0].to_number == "+970599123456"


def test_sign_up_english_code(applicant_browser, archive):
    browser = applicant_browser()
    browser.http.cookies.set("diwan_lang", "en")

    _response, values = _sign_up(browser)

    assert outbox(archive, values["national_id"])[0].body.startswith("Diwan mobile confirmation code: ")


FIELD_CASES = [
    ("national_id", "", "Enter your national ID number (9 digits).", {}),
    ("national_id", "12345", "The national ID number %(value)s is not 9 digits; copy it from your identity card.",
     {"value": "12345"}),
    ("national_id", "123456789", "The national ID number %(value)s is not valid (its last digit does not match); "
     "check each digit against your identity card.", {"value": "123456789"}),
    ("full_name", "", "Enter your full name as it appears on your identity card.", {}),
    ("full_name", "ليلى", "Enter your full name (your name, your father's name and your family name), not "
     "%(value)s alone.", {"value": "ليلى"}),
    ("full_name", "ليلى 2 محمود", "The name %(value)s contains digits or symbols; use letters only, as on your "
     "identity card.", {"value": "ليلى 2 محمود"}),
    ("full_name", "ليلى <b>محمود</b>", "The name %(value)s contains digits or symbols; use letters only, as on your "
     "identity card.", {"value": "ليلى <b>محمود</b>"}),
    ("full_name", "ع " * 101, "The name is %(length)d characters long; shorten it to %(maximum)d.",
     {"length": 201, "maximum": 200}),
    ("birth_date", "", "Enter your date of birth, such as 1998-04-23.", {}),
    ("birth_date", "1998-02-30", "The date of birth %(value)s is not a date; write it as YYYY-MM-DD, for example "
     "1998-04-23.", {"value": "1998-02-30"}),
    ("birth_date", "last spring", "The date of birth %(value)s is not a date; write it as YYYY-MM-DD, for example "
     "1998-04-23.", {"value": "last spring"}),
    ("birth_date", (TODAY + timedelta(days=1)).isoformat(), "The date of birth %(value)s is in the future; check "
     "the year.", {"value": (TODAY + timedelta(days=1)).isoformat()}),
    ("birth_date", (add_years(TODAY, -16) + timedelta(days=1)).isoformat(), "Applicants must be at least "
     "%(minimum)d years old; with the date of birth %(value)s you are %(age)d.",
     {"minimum": 16, "value": (add_years(TODAY, -16) + timedelta(days=1)).isoformat(), "age": 15}),
    ("birth_date", "1900-01-01", "The date of birth %(value)s gives an age over %(maximum)d; check the year.",
     {"value": "1900-01-01", "maximum": 100}),
    ("mobile", "", "Enter your mobile number, such as 0599 123 456.", {}),
    ("mobile", "022981234", "%(value)s is not a Palestinian mobile number; enter a Jawwal (059) or Ooredoo (056) "
     "number, such as 0599 123 456.", {"value": "022981234"}),
    ("mobile", "+962791234567", "%(value)s is not a Palestinian mobile number; enter a Jawwal (059) or Ooredoo "
     "(056) number, such as 0599 123 456.", {"value": "+962791234567"}),
    ("password", "short", "The password is too short; use at least %(minimum)d characters.", {"minimum": 10}),
    ("password", "aaaaabbbbbaaaaa", "The password repeats the same few characters; use at least %(minimum)d "
     "different letters, digits or symbols.", {"minimum": 5}),
    ("password", "x" * 60 + "Jaffa oranges 77" * 5, "The password is %(length)d characters long; use at most "
     "%(maximum)d.", {"length": 140, "maximum": 128}),
]


@pytest.mark.parametrize(("field", "value", "msgid", "params"), FIELD_CASES)
def test_field_rejected(applicant_browser, archive, field, value, msgid, params):
    changes = {field: value}
    if field == "password":
        changes["password_again"] = value

    response, values = _sign_up(applicant_browser(), **changes)

    assert response.status_code == 422
    assert arabic(msgid, **params) in response.text
    assert f'aria-describedby="f-{field}' in response.text
    assert _accounts(archive) == []
    assert outbox(archive) == []


def test_rejected_form_keeps_values(applicant_browser):
    response, values = _sign_up(applicant_browser(), mobile="022981234")

    assert f'value="{values["national_id"]}"' in response.text
    assert 'value="ليلى محمود عبد الرحمن الخطيب"' in response.text
    assert APPLICANT_PASSWORD not in response.text


def test_password_with_national_id(applicant_browser, archive):
    values = sign_up_values()
    password = f"my id {values['national_id']}"

    response, _values = _sign_up(applicant_browser(), national_id=values["national_id"], password=password,
                                 password_again=password)

    assert response.status_code == 422
    assert arabic("The password contains your national ID number, which others may know; choose another "
                  "password.") in response.text


def test_passwords_differ(applicant_browser, archive):
    response, _values = _sign_up(applicant_browser(), password_again="Jaffa oranges 78")

    assert response.status_code == 422
    assert arabic("The two passwords differ; type the same password twice.") in response.text
    assert _accounts(archive) == []


def test_duplicate_national_id(applicant_browser, archive, make_applicant):
    national_id = make_applicant(mobile="0569000111")
    sent_before = len(outbox(archive))

    response, _values = _sign_up(applicant_browser(), national_id=national_id, full_name="سامي خليل يوسف عودة")

    assert response.status_code == 409
    assert arabic("An account already exists for the national ID number %(national_id)s; sign in, or reset the "
                  "password if you have forgotten it.", national_id=national_id) in response.text
    assert len(_accounts(archive)) == 1
    assert len(outbox(archive)) == sent_before


def test_duplicate_reveals_nothing_else(applicant_browser, make_applicant):
    national_id = make_applicant(mobile="0569000111")

    response, _values = _sign_up(applicant_browser(), national_id=national_id, full_name="سامي خليل يوسف عودة")

    assert "0569" not in response.text
    assert "ليلى" not in response.text


def test_duplicate_in_arabic_digits(applicant_browser, archive, make_applicant):
    national_id = make_applicant()
    arabic_digits = national_id.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))

    response, _values = _sign_up(applicant_browser(), national_id=arabic_digits)

    assert response.status_code == 409
    assert len(_accounts(archive)) == 1


def test_sign_up_without_csrf(applicant_browser, archive):
    browser = applicant_browser()

    response = browser.http.post("/applicant/sign-up", data=sign_up_values(), follow_redirects=False)

    assert response.status_code == 403
    assert _accounts(archive) == []


def test_sign_up_throttled(applicant_browser, archive):
    browser = applicant_browser()
    for _ in range(MAX_SIGN_UPS_PER_HOUR):
        browser.http.cookies.clear()
        assert _sign_up(browser)[0].status_code == 303

    browser.http.cookies.clear()
    response, _values = _sign_up(browser)

    assert response.status_code == 429
    assert arabic("Too many accounts were created from this connection; wait %(minutes)d minutes and try again.",
                  minutes=60) in response.text
    assert len(_accounts(archive)) == MAX_SIGN_UPS_PER_HOUR


@pytest.mark.parametrize("path", ["/applicant/profile", "/applicant/documents", "/applicant/messages"])
def test_unconfirmed_only_confirms(applicant_browser, path):
    browser = applicant_browser()
    _sign_up(browser)

    response = browser.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/applicant/confirm"


def test_unconfirmed_htmx_redirected(applicant_browser):
    browser = applicant_browser()
    _sign_up(browser)
    browser.csrf = csrf_of(browser.get("/applicant/confirm").text)

    response = browser.htmx("/applicant/profile/skills", {"name": "Excel"})

    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/applicant/confirm"


def test_signed_in_sign_up_page_redirects(applicant_browser):
    browser = applicant_browser()
    _sign_up(browser)

    response = browser.get("/applicant/sign-up", follow_redirects=False)

    assert response.status_code == 303


def test_simultaneous_sign_up_conflict(archive, make_applicant, monkeypatch):
    national_id = make_applicant()
    # As if another request created the account between the check and the insert.
    monkeypatch.setattr(accounts, "find_by_national_id", lambda session, value: None)
    values = sign_up_values(national_id=national_id, mobile="0568765432")

    with archive.db.session() as session, pytest.raises(AccountExists):
        accounts.sign_up(session, accounts.SignUp(values["national_id"], values["full_name"], values["birth_date"],
                                                  values["mobile"], values["password"]))

    assert len(_accounts(archive)) == 1
    assert len(outbox(archive)) == 1
