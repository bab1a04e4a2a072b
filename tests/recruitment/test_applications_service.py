"""Submitting, numbering, withdrawing and submitting again, through the application service."""

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from archive_api.accounts.models import User
from archive_api.audit.models import AuditEntry
from archive_api.audit.service import verify_chain
from archive_api.errors import NotFound
from archive_api.timeutil import to_local, utcnow
from recruitment.announcements.models import Announcement
from recruitment.announcements.service import close
from recruitment.applicants.profile import SECTIONS, save_entry
from recruitment.applications.errors import ApplicationNotFound, ApplicationsClosed, WithdrawalClosed
from recruitment.applications.models import Application, ApplicationDocument, ApplicationEvent
from recruitment.applications.numbering import application_number
from recruitment.applications.service import linked_versions, submit_application
from recruitment.notify.models import SmsMessage
from tests.recruitment import test_applications_fixtures as support
from tests.recruitment.test_applications_fixtures import (
    PROFILE_DAY,
    applicant_of,
    give_document,
    new_version,
    shown_moment,
    stored_application,
    submit,
    window_of,
    withdraw,
)

gpc = support.gpc
job = support.job
make_announcement = support.make_announcement
make_applicant = support.make_applicant
qualified = support.qualified

CONCURRENT_APPLICANTS = 12


def _count(archive, model, *conditions) -> int:
    with archive.db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model).where(*conditions))


def _messages(archive) -> list[SmsMessage]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(SmsMessage).where(SmsMessage.template == "application_received")
                                    .order_by(SmsMessage.id)))


def _events(archive, application_id: int) -> list[str]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(ApplicationEvent.status)
                                    .where(ApplicationEvent.application_id == application_id)
                                    .order_by(ApplicationEvent.id)))


# --- numbers -------------------------------------------------------------------------------------


def test_number_format():
    assert application_number("147/2026", 23, 5) == "2026-147-00023"


def test_number_grows_past_five_digits():
    assert application_number("147/2026", 123456, 5) == "2026-147-123456"


def test_number_without_serial_year():
    assert application_number("legacy", 7, 12) == "A12-00007"


def test_numbers_follow_submissions(archive, job, qualified):
    first, second = qualified(), qualified()

    numbers = [submit(archive, first, job)[1], submit(archive, second, job)[1]]

    assert numbers == ["2026-147-00001", "2026-147-00002"]


def test_numbers_per_announcement(archive, make_announcement, qualified):
    national_id = qualified()
    first = make_announcement()
    other = make_announcement(number="148/2026")

    numbers = [submit(archive, national_id, first)[1], submit(archive, national_id, other)[1]]

    assert numbers == ["2026-147-00001", "2026-148-00001"]


# --- submitting ----------------------------------------------------------------------------------


def test_submit_stores_application(archive, job, qualified):
    national_id = qualified()

    application_id, number, created = submit(archive, national_id, job)

    application = stored_application(archive, application_id)
    snapshot = json.loads(application.snapshot)
    assert created
    assert application.status == "submitted"
    assert snapshot["personal"]["national_id"] == national_id
    assert snapshot["education"][0]["major"] == "محاسبة"
    assert snapshot["experience_years"] == 3
    assert application.degree_level == "bachelor"
    assert number in application.search_text


def test_snapshot_counts_to_submission_day(archive, make_announcement, qualified):
    now = utcnow()
    announcement_id = make_announcement(opens_at=now - timedelta(days=30), closes_at=now + timedelta(days=5))
    national_id = qualified()
    submitted_at = now - timedelta(days=20)

    with archive.db.session() as session:
        submission = submit_application(session, applicant_of(session, national_id), announcement_id,
                                        now=submitted_at)

    snapshot = json.loads(submission.application.snapshot)
    assert snapshot["taken_on"] == to_local(submitted_at).date().isoformat()


def test_submit_links_current_versions(archive, job, qualified):
    national_id = qualified()

    application_id, _number, _created = submit(archive, national_id, job)

    with archive.db.session(write=False) as session:
        kinds = sorted(version.applicant_document.kind for version in linked_versions(session, application_id))
    assert kinds == ["diploma", "national_id"]


def test_submit_records_event_and_audit(archive, job, qualified):
    national_id = qualified()

    application_id, _number, _created = submit(archive, national_id, job)

    with archive.db.session(write=False) as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "application_submitted"))
        applicant_id = applicant_of(session, national_id).id
        checked, problems = verify_chain(session)
    assert _events(archive, application_id) == ["submitted"]
    assert entry.target_id == str(application_id)
    assert entry.actor == f"applicant:{applicant_id}"
    assert problems == []
    assert checked > 0


def test_submit_queues_arabic_sms(archive, job, qualified):
    national_id = qualified()

    application_id, number, _created = submit(archive, national_id, job)

    messages = _messages(archive)
    assert len(messages) == 1
    assert messages[0].language == "ar"
    assert "محاسب/ة" in messages[0].body
    assert number in messages[0].body
    assert messages[0].application_id == application_id
    assert messages[0].stage == "application"


def test_submit_queues_english_sms(archive, job, qualified):
    national_id = qualified(language="en")

    _application_id, number, _created = submit(archive, national_id, job)

    message = _messages(archive)[0]
    assert message.language == "en"
    assert "Accountant" in message.body
    assert number in message.body


def test_long_title_shortened_in_sms(archive, make_announcement, qualified):
    title = "مسؤول/ة " + "متابعة " * 40
    announcement_id = make_announcement(title_ar=title.strip())
    national_id = qualified()

    submit(archive, national_id, announcement_id)

    body = _messages(archive)[0].body
    assert "…" in body
    assert len(body) < len(title)


def test_submit_twice_returns_first(archive, job, qualified):
    national_id = qualified()

    first = submit(archive, national_id, job)
    second = submit(archive, national_id, job)

    assert second[:2] == first[:2]
    assert second[2] is False
    assert len(_messages(archive)) == 1
    assert _events(archive, first[0]) == ["submitted"]
    assert _count(archive, Application) == 1


def test_submit_twice_after_closing(archive, job, qualified):
    national_id = qualified()
    _opens, closes = window_of(archive, job)
    first = submit(archive, national_id, job, now=closes - timedelta(minutes=1))

    retry = submit(archive, national_id, job, now=closes + timedelta(minutes=5))

    assert retry[:2] == first[:2]
    assert len(_messages(archive)) == 1


def test_draft_not_found(archive, make_announcement, qualified):
    announcement_id = make_announcement(state="draft")
    national_id = qualified()

    with pytest.raises(NotFound):
        submit(archive, national_id, announcement_id)
    assert _count(archive, Application) == 0


def test_unknown_announcement_not_found(archive, gpc, qualified):
    national_id = qualified()

    with pytest.raises(NotFound):
        submit(archive, national_id, 999_999)


# --- the window ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("offset", "accepted"), [
    (timedelta(seconds=-1), False),
    (timedelta(0), True),
    (timedelta(seconds=1), True),
])
def test_opening_edge(archive, make_announcement, qualified, offset, accepted):
    announcement_id = make_announcement(opens_at=utcnow() + timedelta(days=2), closes_at=utcnow() + timedelta(days=9))
    opens, _closes = window_of(archive, announcement_id)
    national_id = qualified()

    if accepted:
        assert submit(archive, national_id, announcement_id, now=opens + offset)[2]
    else:
        with pytest.raises(ApplicationsClosed):
            submit(archive, national_id, announcement_id, now=opens + offset)


@pytest.mark.parametrize(("offset", "accepted"), [
    (timedelta(microseconds=-1), True),
    (timedelta(0), False),
    (timedelta(microseconds=1), False),
    (timedelta(days=3), False),
])
def test_closing_edge(archive, job, qualified, offset, accepted):
    _opens, closes = window_of(archive, job)
    national_id = qualified()

    if accepted:
        assert submit(archive, national_id, job, now=closes + offset)[2]
    else:
        with pytest.raises(ApplicationsClosed):
            submit(archive, national_id, job, now=closes + offset)
        assert _count(archive, Application) == 0
        assert _messages(archive) == []


def test_closed_early_refused(archive, job, qualified):
    national_id = qualified()
    with archive.db.session() as session:
        clerk = session.scalar(select(User).where(User.username == "gpc.clerk"))
        close(session, clerk, session.get(Announcement, job))

    with pytest.raises(ApplicationsClosed):
        submit(archive, national_id, job)


def test_closing_message_names_time(archive, job, qualified):
    _opens, closes = window_of(archive, job)
    national_id = qualified()

    with pytest.raises(ApplicationsClosed) as raised:
        submit(archive, national_id, job, now=closes)

    assert raised.value.params["number"] == "147/2026"
    assert raised.value.params["closes"] == shown_moment(closes)


# --- withdrawing and submitting again -----------------------------------------------------------


def test_withdraw_before_closing(archive, job, qualified):
    national_id = qualified()
    application_id, _number, _created = submit(archive, national_id, job)

    changed = withdraw(archive, national_id, application_id)

    application = stored_application(archive, application_id)
    assert changed
    assert application.status == "withdrawn"
    assert application.withdrawn_at is not None
    assert _events(archive, application_id) == ["submitted", "withdrawn"]
    assert _count(archive, AuditEntry, AuditEntry.action == "application_withdrawn") == 1


def test_withdraw_twice_changes_nothing(archive, job, qualified):
    national_id = qualified()
    application_id, _number, _created = submit(archive, national_id, job)
    withdraw(archive, national_id, application_id)

    changed = withdraw(archive, national_id, application_id)

    assert not changed
    assert _events(archive, application_id) == ["submitted", "withdrawn"]


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(hours=1)])
def test_withdraw_after_closing(archive, job, qualified, offset):
    national_id = qualified()
    _opens, closes = window_of(archive, job)
    application_id, _number, _created = submit(archive, national_id, job, now=closes - timedelta(hours=1))

    with pytest.raises(WithdrawalClosed):
        withdraw(archive, national_id, application_id, now=closes + offset)
    assert stored_application(archive, application_id).status == "submitted"


def test_withdraw_others_application(archive, job, qualified):
    owner, other = qualified(), qualified()
    application_id, _number, _created = submit(archive, owner, job)

    with pytest.raises(ApplicationNotFound):
        withdraw(archive, other, application_id)
    assert stored_application(archive, application_id).status == "submitted"


def test_resubmit_keeps_number(archive, job, qualified):
    national_id = qualified()
    application_id, number, _created = submit(archive, national_id, job)
    withdraw(archive, national_id, application_id)

    again = submit(archive, national_id, job)

    application = stored_application(archive, application_id)
    assert again == (application_id, number, True)
    assert application.status == "submitted"
    assert application.withdrawn_at is None
    assert _events(archive, application_id) == ["submitted", "withdrawn", "resubmitted"]
    assert len(_messages(archive)) == 2


def test_resubmit_takes_fresh_snapshot(archive, job, qualified):
    national_id = qualified()
    application_id, _number, _created = submit(archive, national_id, job)
    withdraw(archive, national_id, application_id)
    with archive.db.session() as session:
        save_entry(session, applicant_of(session, national_id), SECTIONS["skills"], {"name": "Excel"},
                   today=PROFILE_DAY)

    submit(archive, national_id, job)

    snapshot = json.loads(stored_application(archive, application_id).snapshot)
    assert snapshot["skills"] == ["Excel"]


def test_resubmit_after_closing_refused(archive, job, qualified):
    national_id = qualified()
    _opens, closes = window_of(archive, job)
    application_id, _number, _created = submit(archive, national_id, job, now=closes - timedelta(hours=2))
    withdraw(archive, national_id, application_id, now=closes - timedelta(hours=1))

    with pytest.raises(ApplicationsClosed):
        submit(archive, national_id, job, now=closes)
    assert stored_application(archive, application_id).status == "withdrawn"


# --- the frozen snapshot -------------------------------------------------------------------------


def test_snapshot_survives_profile_edit(archive, job, qualified):
    national_id = qualified()
    application_id, _number, _created = submit(archive, national_id, job)
    before = stored_application(archive, application_id).snapshot

    with archive.db.session() as session:
        applicant = applicant_of(session, national_id)
        applicant.full_name = "اسم آخر تماما"
        save_entry(session, applicant, SECTIONS["education"],
                   {"degree_level": "master", "major": "اقتصاد", "institution": "جامعة النجاح",
                    "graduation_year": "2024", "grade": ""}, today=PROFILE_DAY)

    application = stored_application(archive, application_id)
    assert application.snapshot == before
    assert application.degree_level == "bachelor"


def test_versions_survive_new_upload(archive, job, qualified):
    national_id = qualified(documents=("national_id",))
    diploma_id, first_version = give_document(archive, national_id, "diploma")
    application_id, _number, _created = submit(archive, national_id, job)

    second_version = new_version(archive, national_id, diploma_id)

    with archive.db.session(write=False) as session:
        linked = {version.id for version in linked_versions(session, application_id)}
    assert first_version in linked
    assert second_version not in linked
    assert _count(archive, ApplicationDocument, ApplicationDocument.application_id == application_id) == 2


# --- concurrency ---------------------------------------------------------------------------------


def _run_together(calls) -> list:
    """Start every call at once on its own thread and return their results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_numbers_unique(archive, job, qualified):
    national_ids = [qualified() for _ in range(CONCURRENT_APPLICANTS)]

    results = _run_together([lambda national_id=national_id: submit(archive, national_id, job)
                             for national_id in national_ids])

    numbers = sorted(result[1] for result in results)
    assert [result for result in results if isinstance(result, Exception)] == []
    assert numbers == [f"2026-147-{index:05d}" for index in range(1, CONCURRENT_APPLICANTS + 1)]


def test_concurrent_double_submit(archive, job, qualified):
    national_id = qualified()

    results = _run_together([lambda: submit(archive, national_id, job) for _ in range(6)])

    assert [result for result in results if isinstance(result, Exception)] == []
    assert len({result[1] for result in results}) == 1
    assert sum(1 for result in results if result[2]) == 1
    assert len(_messages(archive)) == 1
    assert _count(archive, Application) == 1

