"""The outbox page for the recruitment office, and the applicant's own messages."""

import json

import pytest
from sqlalchemy import select

from archive_api.audit.models import AuditEntry
from recruitment.applicants.models import Applicant
from recruitment.notify.models import STATUS_FAILED, SmsMessage
from recruitment.notify.service import OUTBOX_PER_PAGE, queue_sms
from tests.recruitment import test_applicant_fixtures as support
from tests.recruitment.test_applicant_fixtures import last_code, outbox
from tests.web.pages import arabic

app = support.app
applicant_browser = support.applicant_browser
client = support.client
fresh_throttles = support.fresh_throttles
make_applicant = support.make_applicant
new_client = support.new_client
recruiters = support.recruiters
signed_in = support.signed_in


@pytest.fixture
def staff(new_client, recruiters):
    browser = new_client()
    browser.login("gpc.reader")
    return browser


@pytest.fixture
def two_applicants(make_applicant):
    """Two accounts with their sign-up codes in the outbox: one on Jawwal, one on Ooredoo."""
    return make_applicant(), make_applicant(mobile="0568 765 432")


def _queue(archive, national_id: str, count: int = 1, template: str = "password_changed",
           stage: str = "password_reset") -> None:
    with archive.db.session() as session:
        applicant = session.scalar(select(Applicant).where(Applicant.national_id == national_id))
        for _ in range(count):
            queue_sms(session, applicant, template, {}, stage)


def _audit(archive, action: str) -> list[AuditEntry]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


PAGES = ["/recruitment/outbox", "/recruitment/outbox?q=0599123456", "/recruitment/outbox/1"]


@pytest.mark.parametrize("path", PAGES)
def test_visitor_redirected(client, recruiters, path):
    response = client.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", PAGES)
def test_other_department_refused(new_client, recruiters, two_applicants, path):
    browser = new_client()
    browser.login("hr.clerk")

    response = browser.get(path)

    assert response.status_code == 403
    assert arabic("This page is for staff of the recruitment department only; ask an administrator for "
                  "access.") in response.text
    assert "رمز تأكيد" not in response.text


@pytest.mark.parametrize("path", PAGES)
def test_applicant_refused(signed_in, recruiters, path):
    browser, _national_id = signed_in()

    response = browser.get(path, follow_redirects=False)

    assert response.headers["location"].startswith("/login?next=")


def test_list_masks_numbers(staff, archive, two_applicants):
    response = staff.get("/recruitment/outbox")

    assert response.status_code == 200
    assert "+97059••••456" in response.text
    assert "+97056••••432" in response.text
    assert "0599123456" not in response.text
    assert "+970599123456" not in response.text


def test_list_hides_text(staff, archive, two_applicants):
    response = staff.get("/recruitment/outbox")

    assert last_code(archive, two_applicants[0]) not in response.text
    assert "رمز تأكيد جوالك" not in response.text
    assert arabic("Mobile confirmation code") in response.text


def test_list_not_audited(staff, archive, two_applicants):
    staff.get("/recruitment/outbox")

    assert _audit(archive, "sms_search") == []


@pytest.mark.parametrize("query", ["0568765432", "+972 56 876 5432", "٠٥٦٨٧٦٥٤٣٢"])
def test_search_by_mobile(staff, archive, two_applicants, query):
    response = staff.get("/recruitment/outbox", params={"q": query})

    assert arabic("Messages: %(total)d", total=1) in response.text
    assert "+97056••••432" in response.text
    assert "+97059••••456" not in response.text


def test_search_by_national_id(staff, archive, two_applicants):
    _queue(archive, two_applicants[0], 2)

    response = staff.get("/recruitment/outbox", params={"q": two_applicants[0]})

    assert arabic("Messages: %(total)d", total=3) in response.text
    assert "+97056••••432" not in response.text


def test_search_audited(staff, archive, two_applicants):
    staff.get("/recruitment/outbox", params={"q": two_applicants[1]})

    entries = _audit(archive, "sms_search")
    assert len(entries) == 1
    assert entries[0].actor == "gpc.reader"
    assert json.loads(entries[0].details)["query"] == two_applicants[1]


@pytest.mark.parametrize(
    ("params", "field", "msgid", "values"),
    [
        ({"q": "hello"}, "q", "%(value)s is neither a Palestinian mobile number nor a valid national ID number; "
         "enter one of them, such as 0599 123 456.", {"value": "hello"}),
        ({"q": "123456789"}, "q", "%(value)s is neither a Palestinian mobile number nor a valid national ID "
         "number; enter one of them, such as 0599 123 456.", {"value": "123456789"}),
        ({"status": "lost"}, "status", "Status %(value)r is unknown; choose one of %(known)s.",
         {"value": "lost", "known": "queued, sent, delivered, failed"}),
        ({"stage": "Sign Up"}, "stage", "Stage %(value)r is invalid; choose a stage from the list.",
         {"value": "Sign Up"}),
    ],
)
def test_bad_filter(staff, two_applicants, params, field, msgid, values):
    response = staff.get("/recruitment/outbox", params=params)

    assert response.status_code == 422
    assert arabic(msgid, **values) in response.text
    assert f'id="f-{field}-error"' in response.text


def test_filter_status(staff, archive, two_applicants):
    with archive.db.session() as session:
        session.scalars(select(SmsMessage).order_by(SmsMessage.id)).first().status = STATUS_FAILED

    response = staff.get("/recruitment/outbox", params={"status": "failed"})

    assert arabic("Messages: %(total)d", total=1) in response.text
    assert "+97059••••456" in response.text


def test_filter_stage(staff, archive, two_applicants):
    _queue(archive, two_applicants[1])

    response = staff.get("/recruitment/outbox", params={"stage": "password_reset"})

    assert arabic("Messages: %(total)d", total=1) in response.text
    assert arabic("Password changed") in response.text


def test_paging(staff, archive, two_applicants):
    _queue(archive, two_applicants[0], OUTBOX_PER_PAGE + 3)

    first = staff.get("/recruitment/outbox", params={"stage": "password_reset"})
    second = staff.get("/recruitment/outbox", params={"stage": "password_reset", "page": "2"})

    # Each row links to its message twice: from its number and from its name.
    assert first.text.count('href="/recruitment/outbox/') == 2 * OUTBOX_PER_PAGE
    assert 'href="/recruitment/outbox?stage=password_reset&amp;page=2"' in first.text
    assert second.text.count('href="/recruitment/outbox/') == 2 * 3
    assert arabic("page %(page)d of %(pages)d", page=2, pages=2) in second.text


def test_paging_past_end(staff, archive, two_applicants):
    _queue(archive, two_applicants[0], OUTBOX_PER_PAGE + 1, stage="password_reset")

    response = staff.get("/recruitment/outbox", params={"stage": "password_reset", "page": "9"})

    assert arabic("page %(page)d of %(pages)d", page=2, pages=2) in response.text
    assert response.text.count('href="/recruitment/outbox/') == 2


def test_message_full_text(staff, archive, two_applicants):
    message = outbox(archive, two_applicants[0])[0]

    response = staff.get(f"/recruitment/outbox/{message.id}")

    assert response.status_code == 200
    assert last_code(archive, two_applicants[0]) in response.text
    assert "0599 123 456" in response.text
    assert two_applicants[0] in response.text
    assert arabic("Characters: %(characters)d · Encoding: %(encoding)s · Parts: %(parts)d", characters=69,
                  encoding="UCS2", parts=1) in response.text


def test_message_view_audited(staff, archive, two_applicants):
    message = outbox(archive, two_applicants[0])[0]

    staff.get(f"/recruitment/outbox/{message.id}")

    entries = _audit(archive, "sms_view")
    assert [(entry.actor, entry.target_type, entry.target_id) for entry in entries] == [
        ("gpc.reader", "sms_message", str(message.id))
    ]


def test_message_not_found(staff):
    response = staff.get("/recruitment/outbox/999")

    assert response.status_code == 404
    assert arabic("SMS %(id)s was not found in the outbox.", id=999) in response.text


def test_nav_link_for_recruiters(staff):
    assert 'href="/recruitment/outbox"' in staff.get("/search").text


def test_nav_link_hidden_elsewhere(new_client, recruiters):
    browser = new_client()
    browser.login("hr.clerk")

    assert 'href="/recruitment/outbox"' not in browser.get("/search").text


# --- the applicant's own messages ------------------------------------------------------------


def test_applicant_sees_own_messages(signed_in, archive):
    browser, national_id = signed_in()
    code = last_code(archive, national_id)
    _queue(archive, national_id)

    response = browser.get("/applicant/messages")

    assert response.status_code == 200
    assert arabic("Password changed") in response.text
    assert "تغيّرت كلمة مرور حسابك في ديوان." in response.text
    assert code not in response.text
    assert "رمز تأكيد جوالك في ديوان: ••••••" in response.text


def test_applicant_sees_no_others(signed_in, make_applicant, archive):
    browser, _national_id = signed_in()
    other = make_applicant(mobile="0568765432")
    _queue(archive, other)

    response = browser.get("/applicant/messages")

    assert "تغيّرت كلمة مرور" not in response.text


def test_applicant_messages_paged(signed_in, archive):
    browser, national_id = signed_in()
    _queue(archive, national_id, 25)

    first = browser.get("/applicant/messages")
    second = browser.get("/applicant/messages?page=2")

    assert first.text.count('class="page-text"') == 20
    assert second.text.count('class="page-text"') == 6
    assert arabic("page %(page)d of %(pages)d", page=2, pages=2) in second.text
