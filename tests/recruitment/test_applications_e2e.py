"""The whole recruitment path through the web pages, as the acceptance run takes it.

Staff create and publish two announcements. An applicant signs up with a valid national ID
and mobile, confirms the mobile with the SMS code, builds a profile, uploads real documents
once and applies to both. The outbox has both confirmations with the right titles and
numbers. An application after the closing time is refused with the reason, and the
statistics page shows the six imported years.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest

from archive_api.timeutil import utcnow
from recruitment.notify.models import SmsMessage
from tests.factories.documents import image_bytes, make_text_pdf, render_arabic_page
from tests.recruitment import test_applications_fixtures as support
from tests.recruitment.test_announcements_fixtures import local_text, valid_values
from tests.recruitment.test_applicant_fixtures import ApplicantBrowser, csrf_of, last_code, sign_up_values
from tests.recruitment.test_applications_fixtures import shown_moment, window_of
from tests.web.pages import arabic
from web.recruitment import applications as apply_pages

app = support.app
client = support.client
fresh_throttles = support.fresh_throttles
gpc = support.gpc
new_client = support.new_client
sign_in = support.sign_in

STATISTICS_CSV = Path(__file__).resolve().parents[2] / "samples" / "recruitment-statistics.csv"
LOCATION_ID = re.compile(r"/(\d+)(?:\?|$)")


def _announce(staff, number: str, title_ar: str, title_en: str, closes_in: timedelta) -> int:
    """Create and publish an announcement through the staff pages; returns its id."""
    now = utcnow()
    values = valid_values(number=number, title_ar=title_ar, title_en=title_en,
                          opens_at=local_text(now - timedelta(days=1)), closes_at=local_text(now + closes_in))
    created = staff.post("/recruitment/announcements/new", values)
    assert created.status_code == 303, created.text[:2000]
    announcement_id = int(LOCATION_ID.search(created.headers["location"]).group(1))
    published = staff.post(f"/recruitment/announcements/{announcement_id}/publish")
    assert published.status_code == 303, published.text[:2000]
    return announcement_id


def _sign_up(archive, http) -> tuple[ApplicantBrowser, str]:
    """Sign up through the form and confirm the mobile with the code from the outbox."""
    browser = ApplicantBrowser(http)
    values = sign_up_values(mobile="0599 765 432")
    token = csrf_of(http.get("/applicant/sign-up").text)
    response = http.post("/applicant/sign-up", data={**values, "csrf_token": token}, follow_redirects=False)
    assert response.headers["location"] == "/applicant/confirm"

    browser.csrf = csrf_of(http.get("/applicant/confirm").text)
    confirmed = browser.post("/applicant/confirm", {"code": last_code(archive, values["national_id"])})
    assert confirmed.status_code == 303
    browser.csrf = csrf_of(http.get("/applicant/profile").text)
    return browser, values["national_id"]


def _build_profile(browser) -> None:
    entries = [
        ("education", {"degree_level": "bachelor", "major": "المحاسبة", "institution": "جامعة بيرزيت",
                       "graduation_year": "2017", "grade": "جيد جدا"}),
        ("experience", {"employer": "وزارة المالية", "job_title": "محاسب", "start_date": "2018-02-01",
                        "end_date": "2021-08-31", "description": ""}),
    ]
    for section, values in entries:
        response = browser.post(f"/applicant/profile/{section}", values)
        assert response.status_code in (200, 303), response.text[:2000]


def _upload(browser, kind: str, title: str, name: str, content: bytes, mime: str) -> None:
    response = browser.post("/applicant/documents", {"kind": kind, "title": title},
                            files={"file": (name, content, mime)})
    assert response.status_code == 303, response.text[:2000]


@pytest.fixture
def staff(sign_in, gpc):
    return sign_in("gpc.clerk")


@pytest.mark.slow
def test_acceptance_path(archive, staff, new_client, run_cli, monkeypatch):
    accountant = _announce(staff, "201/2026", "محاسب/ة", "Accountant", timedelta(days=10))
    auditor = _announce(staff, "202/2026", "مدقق/ة حسابات", "Auditor", timedelta(days=12))
    late = _announce(staff, "203/2026", "أمين/ة صندوق", "Cashier", timedelta(days=3))

    browser, national_id = _sign_up(archive, new_client().http)
    _build_profile(browser)
    scan = image_bytes(render_arabic_page(["بطاقة هوية", "دولة فلسطين"], dpi=100), "PNG", dpi=(100, 100))
    _upload(browser, "national_id", "بطاقة الهوية", "id.png", scan, "image/png")
    _upload(browser, "diploma", "شهادة البكالوريوس", "diploma.pdf",
            make_text_pdf(["شهادة بكالوريوس في المحاسبة", "جامعة بيرزيت"]), "application/pdf")

    numbers = {}
    for announcement_id, title in ((accountant, "محاسب/ة"), (auditor, "مدقق/ة حسابات")):
        page = browser.get(f"/jobs/{announcement_id}/apply")
        assert "requirement-unmet" not in page.text
        applied = browser.post(f"/jobs/{announcement_id}/apply")
        assert applied.status_code == 303
        shown = browser.get(applied.headers["location"])
        numbers[title] = re.search(r"2026-20[12]-\d{5}", shown.text).group(0)
    assert numbers == {"محاسب/ة": "2026-201-00001", "مدقق/ة حسابات": "2026-202-00001"}

    outbox = staff.get("/recruitment/outbox?stage=application")
    assert outbox.text.count('href="/recruitment/outbox/') >= 2
    with archive.db.session(write=False) as session:
        messages = session.query(SmsMessage).filter(SmsMessage.template == "application_received").all()
    bodies = {message.id: staff.get(f"/recruitment/outbox/{message.id}").text for message in messages}
    for title, number in numbers.items():
        assert any(title in body and number in body for body in bodies.values())
    own_messages = browser.get("/applicant/messages").text
    assert all(number in own_messages for number in numbers.values())

    _opens, closes = window_of(archive, late)
    monkeypatch.setattr(apply_pages, "now_utc", lambda: closes + timedelta(minutes=1))
    refused = browser.post(f"/jobs/{late}/apply")
    assert refused.status_code == 409
    assert arabic("Applications for announcement %(number)s closed on %(closes)s, Palestine time, so no new "
                  "application can be submitted; look for open jobs on the jobs page.",
                  number="203/2026", closes=shown_moment(closes)) in refused.text

    imported = run_cli("recruitment", "import-statistics", str(STATISTICS_CSV))
    assert imported.exit_code == 0, imported.output
    statistics = staff.get("/recruitment/statistics")
    assert all(str(year) in statistics.text for year in range(2017, 2023))
