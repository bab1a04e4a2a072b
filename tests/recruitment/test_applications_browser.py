"""The acceptance path in Debian's Chromium at phone width, against a real `diwan serve` on 127.0.0.1.

Staff publish two announcements through their pages. An applicant signs up, confirms the
mobile with the code from the outbox, fills the profile, uploads two files, applies to both
jobs, reads both confirmation SMS, and is refused with the reason when submitting after the
announcement was closed. Staff then see both messages in the outbox and both applications.
"""

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from archive_api.context import Archive
from archive_api.settings import Settings
from archive_api.timeutil import to_local, utcnow
from recruitment.applicants.models import Applicant
from recruitment.notify.models import SmsMessage
from tests.browser.conftest import PASSWORD, STOP_TIMEOUT_S, _diwan, _wait_until_up
from tests.browser.conftest import artifacts as artifacts
from tests.browser.conftest import browser as browser
from tests.factories.documents import image_bytes, make_text_pdf, render_arabic_page
from tests.recruitment.test_applicant_fixtures import APPLICANT_PASSWORD, next_national_id
from tests.servers import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
NUMBER = re.compile(r"2026-30[12]-\d{5}")


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """Start `diwan serve` with a recruitment department GPC, a ministry MOH and the clerk gpc.clerk."""
    data_dir = tmp_path_factory.mktemp("diwan-applications") / "data"
    _diwan(data_dir, "department", "add", "GPC", "--name-ar", "ديوان الموظفين العام", "--name-en",
           "General Personnel Council", "--recruitment")
    _diwan(data_dir, "department", "add", "MOH", "--name-ar", "وزارة الصحة", "--name-en", "Ministry of Health")
    _diwan(data_dir, "user", "add", "gpc.clerk", "--department", "GPC", "--role", "clerk", "--password-stdin",
           password=PASSWORD)

    port = free_port()
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1", "DIWAN_LOG_LEVEL": "WARNING"}
    log = (data_dir.parent / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "archive_api", "--data-dir", str(data_dir), "serve", "--host", "127.0.0.1",
         "--port", str(port), "--concurrency", "1"],
        env=environment, stdout=log, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base_url}/login", process)
        yield base_url, data_dir
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _phone(browser, base_url: str):
    context = browser.new_context(viewport=PHONE, locale="ar", base_url=base_url, is_mobile=True, has_touch=True)
    return context, context.new_page()


def _local(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def _announce(page, number: str, title: str) -> str:
    """Fill the staff form, save the draft and publish it; returns the announcement page path."""
    now = utcnow()
    page.goto("/recruitment/announcements/new")
    page.fill("#f-number", number)
    page.fill("#f-title_ar", title)
    page.select_option("#f-ministry", label="وزارة الصحة")
    page.fill("#f-vacancies", "2")
    page.select_option("#f-governorate", "nablus")
    page.select_option("#f-degree_level", "bachelor")
    page.fill("#f-majors", "المحاسبة")
    page.fill("#f-min_experience_years", "1")
    page.check("input[name=required_documents][value=national_id]")
    page.check("input[name=required_documents][value=diploma]")
    page.fill("#f-opens_at", _local(now - timedelta(days=1)))
    page.fill("#f-closes_at", _local(now + timedelta(days=7)))
    page.click("form button.primary[type=submit]")
    page.wait_for_url(re.compile(r".*/recruitment/announcements/\d+\?done=saved"))
    page.click("form[action$='/publish'] button")
    page.wait_for_url(re.compile(r".*done=published"))
    return re.search(r"/recruitment/announcements/(\d+)", page.url).group(1)


def _outbox(data_dir: Path, national_id: str) -> list[SmsMessage]:
    archive = Archive(Settings(data_dir=data_dir))
    try:
        with archive.db.session(write=False) as session:
            return list(session.scalars(
                select(SmsMessage).join(Applicant, Applicant.id == SmsMessage.applicant_id)
                .where(Applicant.national_id == national_id).order_by(SmsMessage.id)
            ))
    finally:
        archive.db.dispose()


def _sign_up(page, data_dir: Path) -> str:
    national_id = next_national_id()
    page.goto("/applicant/sign-up")
    page.fill("#f-national_id", national_id)
    page.fill("#f-full_name", "سلمى يوسف أحمد العلي")
    page.fill("#f-birth_date", "1997-09-14")
    page.fill("#f-mobile", "0569 123 456")
    page.fill("#f-password", APPLICANT_PASSWORD)
    page.fill("#f-password_again", APPLICANT_PASSWORD)
    page.click("form[action='/applicant/sign-up'] button[type=submit]")
    page.wait_for_url("**/applicant/confirm")

    code = CODE.search(_outbox(data_dir, national_id)[-1].body).group(1)
    page.fill("#f-code", code)
    page.click("form[action='/applicant/confirm'] button[type=submit]")
    page.wait_for_url("**/applicant/profile?notice=welcome")
    return national_id


def _add_entry(page, section: str, values: dict[str, str]) -> None:
    page.click(f"#section-{section} details > summary")
    for name, value in values.items():
        selector = f"#add-{section}-{name}"
        if page.locator(selector).evaluate("element => element.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    page.click(f"#section-{section} details form button.primary")
    expect(page.locator(f"#section-{section} .outcome")).to_have_count(1)


def _upload(page, folder: Path, kind: str, title: str, name: str, content: bytes) -> None:
    path = folder / name
    path.write_bytes(content)
    page.goto("/applicant/documents")
    page.select_option("#new-kind", kind)
    page.fill("#new-title", title)
    page.set_input_files("#new-file", str(path))
    page.click("form[action='/applicant/documents'] button[type=submit]")
    page.wait_for_url("**/applicant/documents?uploaded=1")


def _apply(page, announcement_id: str) -> str:
    page.goto(f"/jobs/{announcement_id}/apply")
    expect(page.locator(".requirement-unmet")).to_have_count(0)
    page.click("form.apply-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/applicant/applications/\d+\?done=submitted"))
    return NUMBER.search(page.content()).group(0)


def test_phone_acceptance_path(portal, browser, artifacts, tmp_path):
    base_url, data_dir = portal
    staff_context, staff = _phone(browser, base_url)
    staff.goto("/login")
    staff.fill("#f-username", "gpc.clerk")
    staff.fill("#f-password", PASSWORD)
    staff.click("form[action='/login'] button[type=submit]")
    staff.wait_for_url("**/search")
    first = _announce(staff, "301/2026", "محاسب/ة")
    second = _announce(staff, "302/2026", "مدقق/ة حسابات")

    context, page = _phone(browser, base_url)
    national_id = _sign_up(page, data_dir)
    _add_entry(page, "education", {"degree_level": "bachelor", "major": "محاسبة", "institution": "جامعة النجاح",
                                   "graduation_year": "2018"})
    _add_entry(page, "experience", {"employer": "بلدية نابلس", "job_title": "محاسب", "start_date": "2019-03-01",
                                    "end_date": "2022-02-28"})
    scan = image_bytes(render_arabic_page(["بطاقة هوية", "دولة فلسطين"], dpi=100), "PNG", dpi=(100, 100))
    _upload(page, tmp_path, "national_id", "بطاقة الهوية", "هوية.png", scan)
    _upload(page, tmp_path, "diploma", "شهادة البكالوريوس", "diploma.pdf", make_text_pdf(["شهادة بكالوريوس"]))

    numbers = {"محاسب/ة": _apply(page, first), "مدقق/ة حسابات": _apply(page, second)}
    assert numbers == {"محاسب/ة": "2026-301-00001", "مدقق/ة حسابات": "2026-302-00001"}

    page.goto("/applicant/messages")
    for title, number in numbers.items():
        expect(page.locator("td", has_text=number)).to_contain_text(title)

    page.goto("/applicant/applications")
    expect(page.locator(".application-card")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "applications-dashboard-phone.png"), full_page=True)

    third = _announce(staff, "303/2026", "أمين/ة صندوق")
    page.goto(f"/jobs/{third}/apply")
    staff.goto(f"/recruitment/announcements/{third}")
    staff.click("form[action$='/close'] button")
    staff.wait_for_url(re.compile(r".*done=closed"))
    page.click("form.apply-form button[type=submit]")
    expect(page.locator(".alert-error")).to_contain_text("انتهى التقديم للإعلان 303/2026")
    page.screenshot(path=str(artifacts / "applications-closed-phone.png"), full_page=True)

    staff.goto("/recruitment/outbox?stage=application")
    expect(staff.locator("tbody tr")).to_have_count(2)
    staff.goto("/recruitment/applications")
    for number in numbers.values():
        expect(staff.locator("tbody")).to_contain_text(number)
    assert len([message for message in _outbox(data_dir, national_id) if message.stage == "application"]) == 2

    context.close()
    staff_context.close()
