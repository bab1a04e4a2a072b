"""The staff messages page: search by application number, counts per stage and year, reports and resend."""

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from archive_api.accounts.models import Department
from archive_api.audit.models import AuditEntry
from recruitment.announcements.models import Announcement
from recruitment.applicants.models import Applicant
from recruitment.applications.models import Application
from recruitment.notify.counts import counts_by_year_and_stage
from recruitment.notify.delivery import claim, hand_over, record_failed
from recruitment.notify.models import STATUS_FAILED, STATUS_QUEUED, SmsDeliveryReport, SmsMessage
from recruitment.notify.reasons import undelivered
from recruitment.notify.service import queue_sms
from tests.recruitment import test_applicant_fixtures as support
from tests.recruitment.test_sms_fixtures import RECEIVED, add_applicant, message, queue
from tests.web.pages import arabic

app = support.app
client = support.client
new_client = support.new_client
recruiters = support.recruiters
signed_in = support.signed_in
make_applicant = support.make_applicant
applicant_browser = support.applicant_browser
fresh_throttles = support.fresh_throttles

APPLICATION_NUMBER = "2026-147-00023"


@pytest.fixture
def reader(new_client, recruiters):
    browser = new_client()
    browser.login("gpc.reader")
    return browser


@pytest.fixture
def clerk(new_client, recruiters):
    browser = new_client()
    browser.login("gpc.clerk")
    return browser


@pytest.fixture
def applied(archive, recruiters) -> tuple[int, int]:
    """An applicant with application 2026-147-00023 and its confirmation SMS; returns (applicant, message)."""
    applicant_id = add_applicant(archive)
    with archive.db.session() as session:
        ministry = session.scalar(select(Department).where(Department.code == "GPC"))
        announcement = Announcement(
            number="147/2026", title_ar="محاسب", ministry_id=ministry.id, vacancies=2, governorate="ramallah",
            opens_at=datetime(2026, 1, 1), closes_at=datetime(2026, 2, 1),
        )
        session.add(announcement)
        session.flush()
        application = Application(number=APPLICATION_NUMBER, announcement_id=announcement.id,
                                  applicant_id=applicant_id, snapshot="{}")
        session.add(application)
        session.flush()
        sms = queue_sms(session, session.get(Applicant, applicant_id), "application_received", RECEIVED,
                        "application", application)
        return applicant_id, sms.id


def _fail(archive, message_id: int, reply: str = "NACK/0x0000000b/Invalid Destination Address") -> None:
    claim(archive.db, "worker-a", 100)
    hand_over(archive.db, "worker-a", message_id)
    record_failed(archive.db, message_id, undelivered(16, reply), handed_over=True)


def _audit(archive, action: str) -> list[AuditEntry]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _set_created(archive, message_id: int, moment: datetime) -> None:
    with archive.db.session() as session:
        session.get(SmsMessage, message_id).created_at = moment


# --- search by application number -----------------------------------------------------------


@pytest.mark.parametrize("number", [APPLICATION_NUMBER, " 2026-147-00023 ", "٢٠٢٦-١٤٧-٠٠٠٢٣"])
def test_search_by_application(reader, archive, applied, number):
    queue(archive, add_applicant(archive, mobile="+970568765432"))

    response = reader.get("/recruitment/outbox", params={"application": number})

    assert response.status_code == 200
    assert arabic("Messages: %(total)d", total=1) in response.text
    assert f'href="/recruitment/outbox/{applied[1]}"' in response.text


def test_message_names_application(reader, applied):
    page = reader.get(f"/recruitment/outbox/{applied[1]}").text

    assert f">{APPLICATION_NUMBER}</a>" in page


def test_application_search_audited(reader, archive, applied):
    reader.get("/recruitment/outbox", params={"application": APPLICATION_NUMBER})

    entries = _audit(archive, "sms_search")
    assert len(entries) == 1
    assert json.loads(entries[0].details)["application"] == APPLICATION_NUMBER


def test_unknown_application_empty(reader, archive, applied):
    response = reader.get("/recruitment/outbox", params={"application": "2026-147-00099"})

    assert arabic("Messages: %(total)d", total=0) in response.text


@pytest.mark.parametrize("value", ["147/2026", "abc", "2026-147", "2026--1", "26-147-00023", "x" * 60])
def test_bad_application_number(reader, applied, value):
    response = reader.get("/recruitment/outbox", params={"application": value})

    assert response.status_code == 422
    assert 'id="f-application-error"' in response.text
    assert arabic("%(value)s is not an application number; enter it as the applicant received it, such as "
                  "2026-147-00023.", value=value) in response.text


def test_search_combines_status(reader, archive, applied):
    _fail(archive, applied[1])

    failed = reader.get("/recruitment/outbox", params={"application": APPLICATION_NUMBER, "status": "failed"})
    queued = reader.get("/recruitment/outbox", params={"application": APPLICATION_NUMBER, "status": "queued"})

    assert arabic("Messages: %(total)d", total=1) in failed.text
    assert arabic("Messages: %(total)d", total=0) in queued.text


def test_outbox_notice_without_gateway(reader):
    response = reader.get("/recruitment/outbox")

    assert arabic("No SMS gateway is configured, so messages wait here until one is set.") in response.text


# --- counts ----------------------------------------------------------------------------------


def test_counts_per_year_and_stage(archive):
    applicant_id = add_applicant(archive)
    old = queue(archive, applicant_id, count=2)
    new = queue(archive, applicant_id, "password_changed", {}, "password_reset", count=3)
    for message_id in old:
        _set_created(archive, message_id, datetime(2024, 6, 1, 12))
    _set_created(archive, new[0], datetime(2025, 12, 31, 23, 0))  # 01:00 on 1 January 2026 in Hebron

    with archive.db.session(write=False) as session:
        counts = counts_by_year_and_stage(session)

    assert counts.years[0] == 2024
    assert counts.count(2024, "application") == 2
    assert counts.count(2025, "application") == 0
    assert counts.count(2026, "password_reset") >= 1
    assert counts.year_total(2025) == 0
    assert counts.stage_total("password_reset") == 3
    assert counts.total == 5


def test_counts_empty(archive):
    with archive.db.session(write=False) as session:
        counts = counts_by_year_and_stage(session)

    assert counts.years == []
    assert counts.total == 0


def test_counts_page_chart(reader, archive, applied):
    queue(archive, applied[0], "password_changed", {}, "password_reset", count=2)

    response = reader.get("/recruitment/sms-counts")

    assert response.status_code == 200
    assert response.text.count("<svg") == 2
    assert arabic("Messages per stage and year") in response.text
    assert arabic("Application") in response.text
    assert arabic("Password reset") in response.text
    assert "<title>" + arabic("Password reset") + ": 2</title>" in response.text


def test_counts_page_empty(reader):
    response = reader.get("/recruitment/sms-counts")

    assert arabic("No SMS has been queued yet.") in response.text
    assert "<svg" not in response.text


# --- message page and resend -----------------------------------------------------------------


def test_message_shows_reports(reader, archive, applied):
    _fail(archive, applied[1])
    with archive.db.session() as session:
        session.add(SmsDeliveryReport(message_id=applied[1], report_type=16, reply="NACK/0x0000000b"))

    response = reader.get(f"/recruitment/outbox/{applied[1]}")

    assert arabic("Rejected by the SMS centre") in response.text
    assert "NACK/0x0000000b" in response.text
    assert arabic("The SMS centre rejected the message: %(reply)s",
                  reply="NACK/0x0000000b/Invalid Destination Address") in response.text


def test_reader_sees_no_resend(reader, archive, applied):
    _fail(archive, applied[1])

    response = reader.get(f"/recruitment/outbox/{applied[1]}")

    assert f'action="/recruitment/outbox/{applied[1]}/resend"' not in response.text


def test_clerk_resends_failed(clerk, archive, applied):
    _fail(archive, applied[1])

    response = clerk.post(f"/recruitment/outbox/{applied[1]}/resend")
    new_id = int(response.headers["location"].split("/")[-1].split("?")[0])
    resent = message(archive, new_id)
    page = clerk.get(response.headers["location"])

    assert response.status_code == 303
    assert resent.status == STATUS_QUEUED
    assert resent.resent_from_id == applied[1]
    assert resent.body == message(archive, applied[1]).body
    assert resent.application_id == message(archive, applied[1]).application_id
    assert resent.idempotency_key != message(archive, applied[1]).idempotency_key
    assert arabic("The message was queued again as this new message.") in page.text
    assert f'href="/recruitment/outbox/{applied[1]}"' in page.text


def test_resend_audited(clerk, archive, applied):
    _fail(archive, applied[1])

    clerk.post(f"/recruitment/outbox/{applied[1]}/resend")

    entries = _audit(archive, "sms_resend")
    assert len(entries) == 1
    assert entries[0].actor == "gpc.clerk"
    assert json.loads(entries[0].details)["resent_from"] == applied[1]


def test_resend_uses_current_mobile(clerk, archive, applied):
    _fail(archive, applied[1])
    with archive.db.session() as session:
        session.get(Applicant, applied[0]).mobile = "+970568765432"

    response = clerk.post(f"/recruitment/outbox/{applied[1]}/resend")
    new_id = int(response.headers["location"].split("/")[-1].split("?")[0])

    assert message(archive, new_id).to_number == "+970568765432"


def test_resend_twice_refused(clerk, archive, applied):
    _fail(archive, applied[1])
    first = clerk.post(f"/recruitment/outbox/{applied[1]}/resend")
    new_id = int(first.headers["location"].split("/")[-1].split("?")[0])

    second = clerk.post(f"/recruitment/outbox/{applied[1]}/resend")

    assert second.status_code == 409
    assert arabic("SMS %(id)s was already resent as SMS %(resend)s; resend that one if it failed too.",
                  id=applied[1], resend=new_id) in second.text


def test_resend_queued_refused(clerk, archive, applied):
    response = clerk.post(f"/recruitment/outbox/{applied[1]}/resend")

    assert response.status_code == 409
    assert arabic("SMS %(id)s has not failed, so it is not resent.", id=applied[1]) in response.text


def test_resend_code_refused(clerk, archive, applied):
    [code_id] = queue(archive, applied[0], "sign_up_code", {"code": "493817", "expires": "14:35"}, "sign_up")
    _fail(archive, code_id)

    response = clerk.post(f"/recruitment/outbox/{code_id}/resend")

    assert response.status_code == 409
    assert arabic("SMS %(id)s carries a one-time code, which has expired; ask the applicant to request a new "
                  "code.", id=code_id) in response.text


def test_reader_resend_refused(reader, archive, applied):
    _fail(archive, applied[1])

    response = reader.post(f"/recruitment/outbox/{applied[1]}/resend")

    assert response.status_code == 403
    assert _audit(archive, "sms_resend") == []


def test_resend_needs_csrf(clerk, archive, applied):
    _fail(archive, applied[1])

    response = clerk.http.post(f"/recruitment/outbox/{applied[1]}/resend", follow_redirects=False)

    assert response.status_code == 403
    assert _audit(archive, "sms_resend") == []


def test_resend_missing_message(clerk):
    response = clerk.post("/recruitment/outbox/999999/resend")

    assert response.status_code == 404


def test_resend_failed_status_kept(clerk, archive, applied):
    _fail(archive, applied[1])

    clerk.post(f"/recruitment/outbox/{applied[1]}/resend")

    assert message(archive, applied[1]).status == STATUS_FAILED


PAGES = ["/recruitment/sms-counts", "/recruitment/outbox?application=2026-147-00023"]


@pytest.mark.parametrize("path", PAGES)
def test_visitor_redirected(client, recruiters, path):
    response = client.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", PAGES)
def test_other_department_refused(new_client, recruiters, path):
    browser = new_client()
    browser.login("hr.clerk")

    assert browser.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_applicant_refused(signed_in, recruiters, path):
    browser, _national_id = signed_in()

    response = browser.get(path, follow_redirects=False)

    assert response.headers["location"].startswith("/login?next=")


def test_other_department_cannot_resend(new_client, recruiters, archive, applied):
    _fail(archive, applied[1])
    browser = new_client()
    browser.login("hr.clerk")

    response = browser.post(f"/recruitment/outbox/{applied[1]}/resend")

    assert response.status_code == 403
