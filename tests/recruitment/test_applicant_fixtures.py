"""Fixtures for the applicant, profile, document and outbox tests (no tests of its own).

Test modules import what they use from here, together with the web fixtures of tests/web.
"""

import itertools
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from archive_api.accounts import service as accounts
from archive_api.timeutil import utcnow
from recruitment.applicants.accounts import SignUp, sign_up
from recruitment.applicants.models import Applicant
from recruitment.notify.models import SmsMessage
from tests.web import conftest as web_fixtures
from web.recruitment import applicants_throttles

APPLICANT_PASSWORD = "Jaffa oranges 77"
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_serial = itertools.count(10_000_001)

app = web_fixtures.app
client = web_fixtures.client
new_client = web_fixtures.new_client


def with_check_digit(first_eight: str) -> str:
    """Append the identity-card check digit, written independently of the code under test."""
    total = 0
    for index, char in enumerate(first_eight):
        doubled = int(char) * (2 if index % 2 else 1)
        total += sum(int(digit) for digit in str(doubled))
    return first_eight + str((10 - total % 10) % 10)


def next_national_id() -> str:
    return with_check_digit(str(next(_serial)))


def csrf_of(html: str) -> str:
    return _CSRF_META.search(html).group(1)


class ApplicantBrowser:
    """A TestClient that signs in as an applicant and sends the applicant's CSRF token with forms."""

    def __init__(self, http: TestClient) -> None:
        self.http = http
        self.csrf = ""

    def presession_token(self, path: str = "/applicant/sign-in") -> str:
        return csrf_of(self.http.get(path).text)

    def sign_in(self, national_id: str, password: str = APPLICANT_PASSWORD, landing: str = "/applicant/profile"):
        response = self.http.post(
            "/applicant/sign-in",
            data={"national_id": national_id, "password": password, "csrf_token": self.presession_token()},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text[:2000]
        self.csrf = csrf_of(self.http.get(landing).text)
        return response

    def get(self, path: str, **kwargs):
        return self.http.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs):
        """POST a form with the applicant's CSRF token added, without following redirects."""
        kwargs.setdefault("follow_redirects", False)
        return self.http.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)

    def htmx(self, path: str, data: dict | None = None, **kwargs):
        """POST as HTMX does: the CSRF token in the header, and the fragment asked for."""
        headers = {"HX-Request": "true", "X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return self.http.post(path, data=data or {}, headers=headers, follow_redirects=False, **kwargs)


def sign_up_values(**changes) -> dict:
    """Form values of a valid sign-up, with the given fields replaced."""
    values = {
        "national_id": next_national_id(),
        "full_name": "ليلى محمود عبد الرحمن الخطيب",
        "birth_date": "1998-04-23",
        "mobile": "0599 123 456",
        "password": APPLICANT_PASSWORD,
        "password_again": APPLICANT_PASSWORD,
    }
    values.update(changes)
    return values


@pytest.fixture(autouse=True)
def fresh_throttles():
    """The throttles live in process memory; each test starts without recorded attempts."""
    throttles = (applicants_throttles.sign_in_throttle, applicants_throttles.reset_throttle,
                 applicants_throttles.sign_up_throttle)
    for throttle in throttles:
        throttle._failures.clear()
    yield
    for throttle in throttles:
        throttle._failures.clear()


@pytest.fixture
def make_applicant(archive):
    """Create an account through the service; returns its national ID number."""

    def make(confirmed: bool = True, language: str = "ar", mobile: str = "0599123456", **changes) -> str:
        values = sign_up_values(mobile=mobile, **changes)
        with archive.db.session() as session:
            applicant = sign_up(session, SignUp(values["national_id"], values["full_name"], values["birth_date"],
                                                values["mobile"], values["password"], language))
            if confirmed:
                applicant.mobile_confirmed_at = utcnow()
        return values["national_id"]

    return make


@pytest.fixture
def applicant_browser(new_client):
    """Return a factory of applicant browsers, each with its own cookies."""

    def make() -> ApplicantBrowser:
        return ApplicantBrowser(new_client().http)

    return make


@pytest.fixture
def signed_in(make_applicant, applicant_browser):
    """Return a factory: a confirmed applicant signed in in a browser of their own."""

    def make(**changes) -> tuple[ApplicantBrowser, str]:
        national_id = make_applicant(**changes)
        browser = applicant_browser()
        browser.sign_in(national_id)
        return browser, national_id

    return make


@pytest.fixture
def recruiters(archive, people):
    """Department GPC flagged recruitment with a reader and a clerk; HR without the flag, with a clerk."""
    with archive.db.session() as session:
        accounts.add_department(session, "GPC", "ديوان الموظفين العام", "General Personnel Council", recruitment=True)
    people.user("gpc.reader", "GPC", "reader")
    people.user("gpc.clerk", "GPC", "clerk")
    people.department("HR", "Human resources")
    people.user("hr.clerk", "HR", "clerk")
    return "GPC"


def applicant_id_of(archive, national_id: str) -> int:
    with archive.db.session(write=False) as session:
        return session.scalar(select(Applicant.id).where(Applicant.national_id == national_id))


def outbox(archive, national_id: str | None = None) -> list[SmsMessage]:
    """Return the outbox oldest first, or only the messages of one applicant."""
    with archive.db.session(write=False) as session:
        query = select(SmsMessage).order_by(SmsMessage.id)
        if national_id is not None:
            query = query.join(Applicant, Applicant.id == SmsMessage.applicant_id).where(
                Applicant.national_id == national_id
            )
        return list(session.scalars(query))


def last_code(archive, national_id: str) -> str:
    """Read the newest one-time code sent to the applicant, as they would read it on their phone."""
    messages = [message for message in outbox(archive, national_id) if message.template.endswith("_code")]
    return _CODE.search(messages[-1].body).group(1)
