"""Demo data for screening: four applicants to the closed announcement 103 and its committee.

The applicants sign up, confirm their mobile with the code from their SMS, fill a profile that
meets the announcement's requirements, upload three small PDFs and apply while the
announcement was open, all through the services. Their passwords are random and appended to
demo-credentials.txt. The committee has gpc.chair (chair) and gpc.member; nothing is decided,
so a newcomer screens the applications. Running it again changes nothing.
"""

import io
import logging
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pikepdf
from sqlalchemy import select

from archive_api.accounts.models import User
from archive_api.context import Archive
from recruitment.announcements.models import Announcement
from recruitment.applicants.accounts import SignUp, confirm_mobile, find_by_national_id, sign_up
from recruitment.applicants.documents import documents_of, upload_version
from recruitment.applicants.models import Applicant
from recruitment.applicants.profile import SECTIONS, entries, save_entry
from recruitment.applications.service import application_for, submit_application
from recruitment.notify.models import SmsMessage
from recruitment.screening.committees import find_committee, save_committee

logger = logging.getLogger(__name__)

CLOSED_SEQUENCE = 103
EDITOR = "gpc.clerk"
CHAIR = "gpc.chair"
MEMBER = "gpc.member"
CREDENTIALS_FILE = "demo-credentials.txt"
_CODE = re.compile(r"\b(\d{6})\b")


@dataclass(frozen=True)
class SampleApplicant:
    national_id: str
    full_name: str
    birth_date: str
    mobile: str
    language: str
    education: dict
    job: dict


def _secondary(branch: str, school: str, year: str) -> dict:
    return {"degree_level": "secondary", "major": branch, "institution": school, "graduation_year": year}


def _driver_job(employer: str, start: str, end: str = "") -> dict:
    job = {"employer": employer, "job_title": "سائق", "start_date": start}
    return {**job, "end_date": end} if end else {**job, "current": "1"}


# Announcement 103 requires secondary school, 3 years of experience, and three documents.
SAMPLE_APPLICANTS = (
    SampleApplicant("402135875", "محمود عادل الجعبري", "1990-03-14", "0599 210 347", "ar",
                    _secondary("الفرع الصناعي", "مدرسة الحسين بن علي الثانوية - الخليل", "2008"),
                    _driver_job("جمعية الهلال الأحمر الفلسطيني", "2014-05-01")),
    SampleApplicant("403582141", "رامي خليل أبو سنينة", "1993-11-02", "0568 431 902", "ar",
                    _secondary("الفرع الأدبي", "مدرسة طارق بن زياد الثانوية - الخليل", "2011"),
                    _driver_job("بلدية دورا", "2016-02-01", "2023-06-30")),
    SampleApplicant("853204170", "إيمان فؤاد التميمي", "1995-07-21", "0597 318 265", "en",
                    _secondary("الفرع العلمي", "مدرسة بنات الخليل الثانوية", "2013"),
                    _driver_job("شركة النقل الأهلية - الخليل", "2018-09-01")),
    SampleApplicant("930147269", "يوسف سمير الشرباتي", "1988-01-30", "0592 764 130", "ar",
                    _secondary("الفرع الصناعي", "المدرسة الصناعية - الخليل", "2006"),
                    _driver_job("مستشفى الخليل الحكومي", "2012-03-15", "2020-12-31")),
)
# (kind, Arabic title, English line printed in the PDF)
SAMPLE_DOCUMENTS = (
    ("national_id", "صورة الهوية", "Identity card"),
    ("diploma", "شهادة الثانوية العامة", "Secondary school certificate"),
    ("other", "رخصة قيادة عمومية", "Public driving licence"),
)


def seed_screening(archive: Archive) -> Iterator[str]:
    """Add the sample applicants and applications of announcement 103 and form its committee, each only once."""
    announcement_id = _closed_announcement(archive)
    if announcement_id is None:
        return
    for index, sample in enumerate(SAMPLE_APPLICANTS):
        yield from _seed_applicant(archive, announcement_id, sample, index)
    yield from _form_committee(archive, announcement_id)


def _closed_announcement(archive: Archive) -> int | None:
    with archive.db.session(write=False) as session:
        editor = session.scalar(select(User).where(User.username == EDITOR))
        if editor is None:
            return None
        return session.scalar(
            select(Announcement.id)
            .where(Announcement.created_by_id == editor.id, Announcement.number.startswith(f"{CLOSED_SEQUENCE}/"))
            .order_by(Announcement.id).limit(1)
        )


def _seed_applicant(archive: Archive, announcement_id: int, sample: SampleApplicant, index: int) -> Iterator[str]:
    password = _ensure_account(archive, sample)
    if password is not None:
        _save_credentials(archive, sample.national_id, password)
        yield f"applicant {sample.national_id}\t{sample.full_name}"
    applicant_id = _ensure_profile(archive, sample)
    _ensure_documents(archive, applicant_id, sample)
    number = _ensure_application(archive, applicant_id, announcement_id, index)
    if number is not None:
        yield f"application {number}\t{sample.full_name}"


def _ensure_account(archive: Archive, sample: SampleApplicant) -> str | None:
    """Sign the applicant up and confirm the mobile as they would, with the SMS code; return the new password."""
    with archive.db.session() as session:
        if find_by_national_id(session, sample.national_id) is not None:
            return None
        password = secrets.token_urlsafe(12)
        applicant = sign_up(session, SignUp(sample.national_id, sample.full_name, sample.birth_date, sample.mobile,
                                            password, sample.language))
        confirm_mobile(session, applicant, _code_sent_to(session, applicant))
        return password


def _code_sent_to(session, applicant: Applicant) -> str:
    """Read the confirmation code from the newest code SMS of the applicant, as the phone shows it."""
    body = session.scalar(
        select(SmsMessage.body).where(SmsMessage.applicant_id == applicant.id, SmsMessage.template == "sign_up_code")
        .order_by(SmsMessage.id.desc()).limit(1)
    )
    return _CODE.search(body).group(1)


def _save_credentials(archive: Archive, national_id: str, password: str) -> None:
    path = archive.settings.data_dir / CREDENTIALS_FILE
    with path.open("a") as handle:
        handle.write(f"{national_id}\t{password}\n")
    path.chmod(0o600)


def _ensure_profile(archive: Archive, sample: SampleApplicant) -> int:
    with archive.db.session() as session:
        applicant = find_by_national_id(session, sample.national_id)
        if not entries(session, applicant, SECTIONS["education"]):
            save_entry(session, applicant, SECTIONS["education"], sample.education)
        if not entries(session, applicant, SECTIONS["experience"]):
            save_entry(session, applicant, SECTIONS["experience"], sample.job)
        return applicant.id


def _ensure_documents(archive: Archive, applicant_id: int, sample: SampleApplicant) -> None:
    with archive.db.session(write=False) as session:
        applicant = session.get(Applicant, applicant_id)
        stored = {document.kind for document in documents_of(session, applicant)}
    for kind, title, english in SAMPLE_DOCUMENTS:
        if kind in stored:
            continue
        pdf = sample_pdf([f"Diwan demo: {english}", f"Applicant {sample.national_id}"])
        upload_version(archive, applicant_id, f"{kind}.pdf", io.BytesIO(pdf), kind, title)


def sample_pdf(lines: list[str]) -> bytes:
    """Return a one-page A4 PDF whose text layer contains the given ASCII lines (Helvetica)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page = pdf.pages[0]
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    commands = ["BT", "/F1 16 Tf", "72 760 Td", "22 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        commands.append(f"({escaped}) Tj T*")
    commands.append("ET")
    page.obj.Contents = pdf.make_stream("\n".join(commands).encode("ascii"))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def _ensure_application(archive: Archive, applicant_id: int, announcement_id: int, index: int) -> str | None:
    """Apply a few days after the announcement opened, so the application falls inside its window."""
    with archive.db.session() as session:
        applicant = session.get(Applicant, applicant_id)
        if application_for(session, applicant, announcement_id) is not None:
            return None
        announcement = session.get(Announcement, announcement_id)
        submitted_at = announcement.opens_at + timedelta(days=2 + index, hours=3)
        return submit_application(session, applicant, announcement_id, now=submitted_at).application.number


def _form_committee(archive: Archive, announcement_id: int) -> Iterator[str]:
    with archive.db.session() as session:
        if find_committee(session, announcement_id) is not None:
            return
        users = {user.username: user for user in session.scalars(
            select(User).where(User.username.in_((EDITOR, CHAIR, MEMBER))))}
        if set(users) != {EDITOR, CHAIR, MEMBER}:
            logger.warning("demo committee not formed: missing users %s", {EDITOR, CHAIR, MEMBER} - set(users))
            return
        save_committee(session, users[EDITOR], announcement_id, [users[CHAIR].id, users[MEMBER].id],
                       users[CHAIR].id)
    yield f"screening committee of announcement {CLOSED_SEQUENCE}\tchair {CHAIR}, member {MEMBER}"
