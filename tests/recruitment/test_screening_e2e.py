"""Screening from start to end through the pages: committee, decisions, the refused and accepted close, SMS, exam."""

from sqlalchemy import select

from recruitment.notify.models import SmsMessage
from tests.recruitment import test_screening_fixtures as support
from tests.recruitment.test_screening_fixtures import CHAIR, EXPERIENCE, reason_id
from tests.web.pages import arabic

app = support.app
client = support.client
fresh_throttles = support.fresh_throttles
gpc = support.gpc
make_announcement = support.make_announcement
new_client = support.new_client
qualified = support.qualified
screening_job = support.screening_job
sign_in = support.sign_in

BASE = "/recruitment/screening"


def _screening_sms(archive) -> dict[int, SmsMessage]:
    with archive.db.session(write=False) as session:
        rows = session.scalars(select(SmsMessage).where(SmsMessage.stage == "screening"))
        return {row.application_id: row for row in rows}


def test_screening_end_to_end(archive, sign_in, screening_job):
    job = screening_job
    huda, omar, sara = (job.applications[name] for name in ("huda", "omar", "sara"))
    base = f"{BASE}/{job.announcement_id}"
    with archive.db.session(write=False) as session:
        clerk, reader = support.staff(session, CHAIR).id, support.staff(session, "gpc.reader").id

    admin = sign_in("gpc.admin")
    formed = admin.http.post(f"{base}/committee", data={"csrf_token": admin.csrf, "members": [str(clerk), str(reader)],
                                                         "chair": str(clerk)}, follow_redirects=False)
    assert formed.status_code == 303

    chair, member = sign_in(CHAIR), sign_in("gpc.reader")
    assert chair.post(f"{base}/applications/{huda.id}", {"outcome": "accepted"}).status_code == 303
    assert member.post(f"{base}/applications/{sara.id}", {"outcome": "accepted"}).status_code == 303

    refused = chair.post(f"{base}/close")
    assert refused.status_code == 409
    assert arabic("Screening cannot close while %(count)d applications have no decision (%(numbers)s); decide "
                  "them first.", count=1, numbers=omar.number) in refused.text
    assert f'href="{base}/applications/{omar.id}"' in refused.text
    assert _screening_sms(archive) == {}

    notes = "شهادة الخبرة المرفقة تغطي سنة واحدة فقط"
    rejected = member.post(f"{base}/applications/{omar.id}",
                           {"outcome": "rejected", "reason": str(reason_id(archive, EXPERIENCE)), "notes": notes})
    assert rejected.status_code == 303
    assert chair.post(f"{base}/close").status_code == 303

    sms = _screening_sms(archive)
    assert sorted(sms) == sorted([huda.id, omar.id, sara.id])
    assert sms[huda.id].template == "screening_passed"
    assert "اجتاز الفرز الأولي" in sms[huda.id].body
    assert sms[omar.id].template == "screening_not_passed"
    assert "لم يجتز الفرز الأولي" in sms[omar.id].body
    assert "الخبرة غير كافية" in sms[omar.id].body
    assert notes in sms[omar.id].body
    assert sms[sara.id].language == "en"
    assert "passed the first screening" in sms[sara.id].body

    added = admin.post(f"{base}/sessions", {"kind": "exam", "place": "قاعة ديوان الموظفين العام - رام الله",
                                            "starts_at": "2090-07-01T09:30", "capacity": "25"})
    assert added.status_code == 303
    assert admin.post(f"{base}/sessions/in-order", {"kind": "exam"}).status_code == 303

    with archive.db.session(write=False) as session:
        exam = {row.application_id: row for row in
                session.scalars(select(SmsMessage).where(SmsMessage.template == "exam_scheduled"))}
    assert sorted(exam) == sorted([huda.id, sara.id])
    assert "امتحان وظيفة محاسب/ة: 2090-07-01 الساعة 09:30 في قاعة ديوان الموظفين العام - رام الله" in exam[huda.id].body
    assert exam[sara.id].body.startswith("Exam for Accountant: 2090-07-01 at 09:30")
