"""Closing screening: the gate, the outcome SMS in the same transaction, and what applicants then see."""

import pytest
from sqlalchemy import func, select

from archive_api.accounts.models import User
from recruitment.announcements.models import Announcement
from recruitment.announcements.service import AnnouncementStateError, extend_closing
from recruitment.applications.models import ApplicationEvent
from recruitment.notify.models import SmsMessage, SmsTemplateText
from recruitment.notify.parts import sms_size
from recruitment.notify.service import MAX_PARTS
from recruitment.notify.templates import (
    SAMPLE_VALUES,
    MissingPlaceholder,
    TemplateError,
    get_template,
    placeholders_of,
    render_template,
)
from recruitment.screening.closing import close_screening
from recruitment.screening.errors import NotChair, ScreeningClosed, UndecidedApplications
from recruitment.screening.models import ScreeningCommittee
from recruitment.screening.outcomes import applicant_outcomes
from tests.recruitment import test_screening_fixtures as support
from tests.recruitment.test_screening_fixtures import (
    CHAIR,
    EXPERIENCE,
    decide_all,
    decide_as,
    messages,
    reason_id,
    staff,
)

app = support.app
client = support.client
committee = support.committee
fresh_throttles = support.fresh_throttles
gpc = support.gpc
make_announcement = support.make_announcement
new_client = support.new_client
qualified = support.qualified
screening_job = support.screening_job


def _close(archive, job, username: str = CHAIR):
    with archive.db.session() as session:
        return close_screening(session, staff(session, username), job.announcement_id)


def _closed_at(archive, committee_id: int):
    with archive.db.session(write=False) as session:
        return session.get(ScreeningCommittee, committee_id).closed_at


def _sms_of(archive, application_id: int):
    return [message for message in messages(archive) if message.application_id == application_id
            and message.stage == "screening"]


def test_close_refused_while_undecided(archive, committee, screening_job):
    decide_as(archive, CHAIR, screening_job.announcement_id, screening_job.applications["huda"].id, "accepted")

    with pytest.raises(UndecidedApplications) as raised:
        _close(archive, screening_job)

    expected = [screening_job.applications["omar"].number, screening_job.applications["sara"].number]
    assert raised.value.undecided == expected
    assert expected[0] in str(raised.value)
    assert _closed_at(archive, committee) is None
    assert [message for message in messages(archive) if message.stage == "screening"] == []


def test_close_by_member_refused(archive, committee, screening_job):
    decide_all(archive, screening_job)

    with pytest.raises(NotChair):
        _close(archive, screening_job, "gpc.reader")

    assert _closed_at(archive, committee) is None


def test_close_queues_outcomes(archive, committee, screening_job):
    decide_all(archive, screening_job)

    result = _close(archive, screening_job)

    assert (result.passed, result.not_passed) == (2, 1)
    assert _closed_at(archive, committee) is not None
    assert [message.template for message in _sms_of(archive, screening_job.applications["huda"].id)] == [
        "screening_passed"]
    assert [message.template for message in _sms_of(archive, screening_job.applications["sara"].id)] == [
        "screening_not_passed"]
    assert _sms_of(archive, screening_job.applications["ahmad"].id) == []


def test_passed_sms_arabic(archive, committee, screening_job):
    decide_all(archive, screening_job)
    _close(archive, screening_job)

    body = _sms_of(archive, screening_job.applications["huda"].id)[0].body

    assert "اجتاز الفرز الأولي" in body
    assert screening_job.applications["huda"].number in body
    assert "محاسب/ة" in body


def test_rejection_sms_arabic(archive, committee, screening_job):
    omar = screening_job.applications["omar"]
    decide_all(archive, screening_job)
    decide_as(archive, CHAIR, screening_job.announcement_id, omar.id, "rejected", reason_id(archive, EXPERIENCE),
              "الخبرة المطلوبة سنتان في المحاسبة")
    _close(archive, screening_job)

    message = _sms_of(archive, omar.id)[0]

    assert message.language == "ar"
    assert "الخبرة غير كافية" in message.body
    assert "الخبرة المطلوبة سنتان في المحاسبة" in message.body
    assert omar.number in message.body


def test_rejection_sms_english(archive, committee, screening_job):
    decide_all(archive, screening_job, notes="Two years are required")
    _close(archive, screening_job)

    message = _sms_of(archive, screening_job.applications["sara"].id)[0]

    assert message.language == "en"
    assert EXPERIENCE in message.body
    assert "Two years are required" in message.body
    assert "Accountant" in message.body


def test_rejection_without_notes(archive, committee, screening_job):
    decide_all(archive, screening_job)
    omar = screening_job.applications["omar"]
    decide_as(archive, CHAIR, screening_job.announcement_id, omar.id, "rejected", reason_id(archive, EXPERIENCE))
    _close(archive, screening_job)

    body = _sms_of(archive, omar.id)[0].body

    assert "الخبرة غير كافية" in body
    assert "لا توجد" in body


def test_long_notes_trimmed(archive, committee, screening_job):
    notes = "الشهادة المرفقة لا تبين مدة الخبرة ولا جهة العمل بوضوح، " * 9
    decide_all(archive, screening_job)
    omar = screening_job.applications["omar"]
    decide_as(archive, CHAIR, screening_job.announcement_id, omar.id, "rejected", reason_id(archive, EXPERIENCE),
              notes[:500])
    _close(archive, screening_job)

    body = _sms_of(archive, omar.id)[0].body

    assert sms_size(body).parts == MAX_PARTS
    assert body.endswith("…")
    assert "الشهادة المرفقة لا تبين مدة الخبرة" in body
    assert "الخبرة غير كافية" in body


def test_long_english_notes_fit(archive, committee, screening_job):
    # GSM-7 parts carry 153 characters, so 500 English characters of notes fit without a cut.
    notes = ("The experience certificate does not state the employer. " * 9)[:500].strip()
    decide_all(archive, screening_job, notes=notes)
    _close(archive, screening_job)

    body = _sms_of(archive, screening_job.applications["sara"].id)[0].body

    assert sms_size(body).parts <= MAX_PARTS
    assert body.endswith(notes)
    assert "Reason: Insufficient experience." in body


def test_rollback_sends_nothing(archive, committee, screening_job):
    decide_all(archive, screening_job)

    with pytest.raises(RuntimeError), archive.db.session() as session:
        close_screening(session, staff(session, CHAIR), screening_job.announcement_id)
        queued = session.scalar(select(func.count()).select_from(SmsMessage).where(SmsMessage.stage == "screening"))
        raise RuntimeError("the request failed after closing")

    assert queued == 3
    assert [message for message in messages(archive) if message.stage == "screening"] == []
    assert _closed_at(archive, committee) is None


def test_close_twice_refused(archive, committee, screening_job):
    decide_all(archive, screening_job)
    _close(archive, screening_job)

    with pytest.raises(ScreeningClosed):
        _close(archive, screening_job)

    assert len(_sms_of(archive, screening_job.applications["huda"].id)) == 1


def test_edited_text_without_reason(archive, committee, screening_job):
    decide_all(archive, screening_job)
    with archive.db.session() as session:
        session.add(SmsTemplateText(key="screening_not_passed",
                                    arabic="نأسف، طلبك {number} لوظيفة {job_title} لم يقبل.",
                                    english="Sorry: {number} for {job_title} was not accepted.",
                                    updated_by="gpc.admin"))

    with pytest.raises(TemplateError):
        _close(archive, screening_job)

    assert _closed_at(archive, committee) is None


def test_result_in_history(archive, committee, screening_job):
    decide_all(archive, screening_job)
    _close(archive, screening_job)

    with archive.db.session(write=False) as session:
        statuses = list(session.scalars(select(ApplicationEvent.status).where(
            ApplicationEvent.application_id == screening_job.applications["sara"].id)))

    assert statuses[-1] == "screening_not_passed"


def test_outcomes_hidden_until_closed(archive, committee, screening_job):
    ids = [filed.id for filed in screening_job.applications.values()]
    decide_all(archive, screening_job)
    with archive.db.session(write=False) as session:
        before = applicant_outcomes(session, ids)

    _close(archive, screening_job)
    with archive.db.session(write=False) as session:
        after = applicant_outcomes(session, ids)

    sara = after[screening_job.applications["sara"].id]
    assert before == {}
    assert sorted(after) == sorted(ids[:3])
    assert sara.reason.label_en == EXPERIENCE
    assert sara.notes == "لم تُرفق شهادة خبرة مصدقة"


# --- the SMS templates ---------------------------------------------------------------------------


def test_rejection_template_placeholders():
    template = get_template("screening_not_passed")

    assert {"reason", "notes"} <= template.placeholders
    assert placeholders_of(template.english) == template.placeholders


@pytest.mark.parametrize("language", ["ar", "en"])
def test_rejection_template_samples(language):
    values = {name: SAMPLE_VALUES[language][name] for name in get_template("screening_not_passed").placeholders}

    body = render_template("screening_not_passed", values, language)

    assert SAMPLE_VALUES[language]["reason"] in body
    assert sms_size(body).parts <= MAX_PARTS


def test_rejection_template_needs_reason():
    with pytest.raises(MissingPlaceholder):
        render_template("screening_not_passed", {"number": "2026-147-00001", "job_title": "محاسب", "notes": "—"},
                        "ar")



def test_extension_refused_once_committee_formed(archive, screening_job, committee):
    with archive.db.session() as session:
        announcement = session.get(Announcement, screening_job.announcement_id)
        clerk = session.scalar(select(User).where(User.username == "gpc.clerk"))
        with pytest.raises(AnnouncementStateError) as raised:
            extend_closing(session, clerk, announcement, "2090-05-27 14:00")

    assert "already has a screening committee" in raised.value.message
