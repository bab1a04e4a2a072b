"""One-time codes: hashed storage, expiry, attempt limit, single use, resend cooldown and daily quota."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from archive_api.timeutil import utcnow
from recruitment.applicants.codes import (
    CODE_LIFETIME,
    MAX_CODE_ATTEMPTS,
    MAX_CODES_PER_DAY,
    PURPOSE_CONFIRM_MOBILE,
    PURPOSE_RESET_PASSWORD,
    RESEND_COOLDOWN,
    check_code,
    clean_code,
    issue_code,
    seconds_until_resend,
)
from recruitment.applicants.errors import InvalidApplicantData, TooManyRequests
from recruitment.applicants.models import Applicant, OneTimeCode
from tests.recruitment import test_applicant_fixtures as support
from tests.recruitment.test_applicant_fixtures import csrf_of, last_code, outbox, sign_up_values
from tests.web.pages import arabic, translated

app = support.app
applicant_browser = support.applicant_browser
client = support.client
fresh_throttles = support.fresh_throttles
make_applicant = support.make_applicant
new_client = support.new_client

START = utcnow()


@pytest.fixture
def account(archive, make_applicant):
    """An unconfirmed account whose sign-up code was sent an hour ago, so a new one may be issued."""
    national_id = make_applicant(confirmed=False)
    with archive.db.session() as session:
        session.execute(update(OneTimeCode).values(created_at=START - timedelta(hours=1),
                                                   expires_at=START - timedelta(minutes=50)))
    return national_id


def _applicant(session, national_id):
    return session.scalar(select(Applicant).where(Applicant.national_id == national_id))


def _issue(archive, national_id, now=START, purpose=PURPOSE_CONFIRM_MOBILE) -> str:
    with archive.db.session() as session:
        return issue_code(session, _applicant(session, national_id), purpose, now).code


def _check(archive, national_id, code, now=START, purpose=PURPOSE_CONFIRM_MOBILE):
    with archive.db.session() as session:
        return check_code(session, _applicant(session, national_id), purpose, code, now)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_code_six_digits(archive, account):
    assert len(_issue(archive, account)) == 6


def test_only_hash_stored(archive, account):
    code = _issue(archive, account)

    with archive.db.session(write=False) as session:
        rows = session.scalars(select(OneTimeCode)).all()
    assert all(code not in row.code_hash for row in rows)
    assert all(len(row.code_hash) == 64 for row in rows)


def test_right_code_accepted(archive, account):
    code = _issue(archive, account)

    assert _check(archive, account, code) is None


def test_code_used_once(archive, account):
    code = _issue(archive, account)
    _check(archive, account, code)

    problem = _check(archive, account, code)

    assert problem.message == "This code has expired or was already used; ask for a new code."


def test_code_expires(archive, account):
    code = _issue(archive, account)

    problem = _check(archive, account, code, now=START + CODE_LIFETIME + timedelta(seconds=1))

    assert problem.message == "This code has expired or was already used; ask for a new code."


def test_code_valid_before_expiry(archive, account):
    code = _issue(archive, account)

    assert _check(archive, account, code, now=START + CODE_LIFETIME - timedelta(seconds=1)) is None


def test_wrong_code_counts_tries(archive, account):
    code = _issue(archive, account)

    problem = _check(archive, account, _wrong(code))

    assert problem.params == {"left": MAX_CODE_ATTEMPTS - 1}


def test_attempt_limit_locks_code(archive, account):
    code = _issue(archive, account)
    for _ in range(MAX_CODE_ATTEMPTS):
        last = _check(archive, account, _wrong(code))

    problem = _check(archive, account, code)

    assert last.message == "The code was typed wrongly %(count)d times, so it no longer works; ask for a new code."
    assert problem.params == {"count": MAX_CODE_ATTEMPTS}


def test_new_code_replaces_old(archive, account):
    _issue(archive, account)
    second = _issue(archive, account, now=START + RESEND_COOLDOWN)

    with archive.db.session(write=False) as session:
        rows = session.scalars(select(OneTimeCode).order_by(OneTimeCode.id)).all()
    assert rows[-2].expires_at == START + RESEND_COOLDOWN
    assert _check(archive, account, second, now=START + RESEND_COOLDOWN) is None


def test_purposes_separate(archive, account):
    code = _issue(archive, account, purpose=PURPOSE_RESET_PASSWORD)

    assert _check(archive, account, code, purpose=PURPOSE_CONFIRM_MOBILE) is not None


def test_resend_cooldown(archive, account):
    _issue(archive, account)

    with pytest.raises(TooManyRequests) as raised:
        _issue(archive, account, now=START + timedelta(seconds=20))

    assert raised.value.params == {"seconds": 40}


def test_resend_after_cooldown(archive, account):
    _issue(archive, account)

    assert _issue(archive, account, now=START + RESEND_COOLDOWN)


def test_seconds_until_resend(archive, account):
    _issue(archive, account)

    with archive.db.session(write=False) as session:
        wait_s = seconds_until_resend(session, _applicant(session, account), PURPOSE_CONFIRM_MOBILE,
                                      START + timedelta(seconds=45))

    assert wait_s == 15


def test_daily_quota(archive, account):
    # The fixture's sign-up code counts as the first of the last 24 hours.
    moments = [START + index * RESEND_COOLDOWN for index in range(MAX_CODES_PER_DAY)]
    for moment in moments[:-1]:
        _issue(archive, account, now=moment)

    with pytest.raises(TooManyRequests) as raised:
        _issue(archive, account, now=moments[-1])

    assert raised.value.params == {"count": MAX_CODES_PER_DAY}


def test_quota_renews_after_a_day(archive, account):
    for index in range(MAX_CODES_PER_DAY - 1):
        _issue(archive, account, now=START + index * RESEND_COOLDOWN)

    assert _issue(archive, account, now=START + timedelta(days=1, minutes=1))


@pytest.mark.parametrize(("typed", "expected"), [("123456", "123456"), ("١٢٣٤٥٦", "123456"), (" 123 456 ", "123456")])
def test_clean_code_accepts(typed, expected):
    assert clean_code(typed) == expected


@pytest.mark.parametrize("typed", ["12345", "1234567", "12a456", "١٢٣"])
def test_clean_code_rejects(typed):
    with pytest.raises(InvalidApplicantData) as raised:
        clean_code(typed)

    assert raised.value.message == "The code has %(digits)d digits; type it exactly as the SMS shows it."


def test_clean_code_empty():
    with pytest.raises(InvalidApplicantData) as raised:
        clean_code("")

    assert raised.value.message == "Enter the %(digits)d-digit code from the SMS."


# --- the confirmation page -------------------------------------------------------------------


@pytest.fixture
def pending(applicant_browser):
    """A browser that has just signed up, on the confirmation page."""
    browser = applicant_browser()
    token = csrf_of(browser.get("/applicant/sign-up").text)
    values = sign_up_values()
    browser.http.post("/applicant/sign-up", data={**values, "csrf_token": token}, follow_redirects=False)
    browser.csrf = csrf_of(browser.get("/applicant/confirm").text)
    return browser, values["national_id"]


def _age_codes(archive, seconds: int = 120) -> None:
    """Move every code back in time, as if the resend cooldown had passed."""
    with archive.db.session() as session:
        for row in session.scalars(select(OneTimeCode)):
            row.created_at -= timedelta(seconds=seconds)


def _confirmed(archive, national_id) -> bool:
    with archive.db.session(write=False) as session:
        return _applicant(session, national_id).mobile_confirmed_at is not None


def test_confirm_page_shows_number(pending):
    browser, _national_id = pending

    response = browser.get("/applicant/confirm")

    assert translated("We sent a 6-digit code by SMS to %(mobile)s. Type it here to finish creating your account.") \
        % {"mobile": '<bdi dir="ltr" class="nowrap">0599 123 456</bdi>'} in response.text


def test_confirm_right_code(pending, archive):
    browser, national_id = pending

    response = browser.post("/applicant/confirm", {"code": last_code(archive, national_id)})

    assert response.status_code == 303
    assert response.headers["location"] == "/applicant/profile?notice=welcome"
    assert _confirmed(archive, national_id)


def test_confirm_arabic_digits(pending, archive):
    browser, national_id = pending
    code = last_code(archive, national_id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))

    response = browser.post("/applicant/confirm", {"code": code})

    assert response.status_code == 303


def test_confirm_wrong_code_counted(pending, archive):
    browser, national_id = pending

    response = browser.post("/applicant/confirm", {"code": _wrong(last_code(archive, national_id))})

    with archive.db.session(write=False) as session:
        attempts = session.scalars(select(OneTimeCode.attempts)).all()
    assert response.status_code == 422
    assert arabic("The code is wrong; check the SMS and type it again (%(left)d tries left).", left=4) in response.text
    assert attempts == [1]
    assert not _confirmed(archive, national_id)


def test_confirm_bad_format(pending, archive):
    browser, national_id = pending

    response = browser.post("/applicant/confirm", {"code": "12ab"})

    assert response.status_code == 422
    assert arabic("The code has %(digits)d digits; type it exactly as the SMS shows it.", digits=6) in response.text


def test_confirm_without_csrf(pending, archive):
    browser, national_id = pending

    response = browser.http.post("/applicant/confirm", data={"code": last_code(archive, national_id)},
                                 follow_redirects=False)

    assert response.status_code == 403
    assert not _confirmed(archive, national_id)


def test_resend_too_soon(pending, archive):
    browser, national_id = pending

    response = browser.post("/applicant/confirm/resend")

    assert response.status_code == 429
    assert len(outbox(archive, national_id)) == 1


def test_resend_sends_new_code(pending, archive):
    browser, national_id = pending
    _age_codes(archive)

    response = browser.post("/applicant/confirm/resend")

    with archive.db.session(write=False) as session:
        rows = session.scalars(select(OneTimeCode).order_by(OneTimeCode.id)).all()
    assert response.headers["location"] == "/applicant/confirm?sent=1"
    assert len(outbox(archive, national_id)) == 2
    assert rows[0].expires_at <= utcnow()
    assert browser.post("/applicant/confirm", {"code": last_code(archive, national_id)}).status_code == 303


def test_change_unconfirmed_mobile(pending, archive):
    browser, national_id = pending
    _age_codes(archive)

    response = browser.post("/applicant/confirm/mobile", {"mobile": "0568 765 432"})

    messages = outbox(archive, national_id)
    assert response.status_code == 303
    assert messages[-1].to_number == "+970568765432"


def test_change_mobile_rejects_landline(pending, archive):
    browser, national_id = pending
    _age_codes(archive)

    response = browser.post("/applicant/confirm/mobile", {"mobile": "022981234"})

    assert response.status_code == 422
    assert arabic("%(value)s is not a Palestinian mobile number; enter a Jawwal (059) or Ooredoo (056) number, "
                  "such as 0599 123 456.", value="022981234") in response.text
    assert len(outbox(archive, national_id)) == 1


def test_change_mobile_too_soon_keeps_number(pending, archive):
    browser, national_id = pending

    response = browser.post("/applicant/confirm/mobile", {"mobile": "0568765432"})

    with archive.db.session(write=False) as session:
        mobile = _applicant(session, national_id).mobile
    assert response.status_code == 429
    assert mobile == "+970599123456"


def test_confirmed_skips_confirm_page(pending, archive):
    browser, national_id = pending
    browser.post("/applicant/confirm", {"code": last_code(archive, national_id)})

    response = browser.get("/applicant/confirm", follow_redirects=False)

    assert response.headers["location"] == "/applicant/profile"
