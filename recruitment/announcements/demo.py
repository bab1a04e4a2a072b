"""Demo data for the recruitment portal: the council's recruitment department, its staff, three
announcements (open, closing soon, closed), applications to the closed one with a screening
committee (recruitment.screening.demo) and the council's yearly figures.

Announcement times are relative to the moment the demo runs. Running it again changes nothing.
"""

import logging
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from archive_api.accounts import service as accounts
from archive_api.accounts.models import Department, User
from archive_api.context import Archive
from archive_api.timeutil import to_local, utcnow
from recruitment.announcements.models import Announcement
from recruitment.announcements.service import create_announcement, publish
from recruitment.screening.demo import seed_screening
from recruitment.statistics.importer import import_figures, read_figures_csv
from recruitment.statistics.models import YearlyFigures

logger = logging.getLogger(__name__)

DEPARTMENT = ("GPC", "ديوان الموظفين العام", "General Personnel Council")
STAFF_USER = "gpc.clerk"
# The clerk keeps the announcements; the other two sit on the demo's screening committee.
STAFF_USERS = (STAFF_USER, "gpc.chair", "gpc.member")
STATISTICS_FILE = "recruitment-statistics.csv"

# (sequence, ministry, days from now to opening, days from now to closing, fields)
SAMPLES = (
    (
        101, "MOH", -3, 21,
        {
            "title_ar": "ممرض/ة قانوني/ة",
            "title_en": "Registered nurse",
            "unit": "مستشفى رفيديا الحكومي",
            "vacancies": "12",
            "governorate": "nablus",
            "grade": "السابعة",
            "description": "تقديم الرعاية التمريضية للمرضى في أقسام المستشفى وفق البروتوكولات المعتمدة، "
                           "والعمل بنظام المناوبات.",
            "degree_level": "bachelor",
            "majors": "التمريض\nالقبالة",
            "min_experience_years": "1",
            "required_documents": ["national_id", "diploma", "transcript", "experience_certificate"],
        },
    ),
    (
        102, "GPC", -10, 2,
        {
            "title_ar": "محاسب/ة",
            "title_en": "Accountant",
            "unit": "الإدارة العامة للشؤون المالية",
            "vacancies": "3",
            "governorate": "ramallah",
            "grade": "السادسة",
            "description": "إعداد القيود المحاسبية والتسويات البنكية والتقارير المالية الشهرية.",
            "degree_level": "bachelor",
            "majors": "المحاسبة، العلوم المالية والمصرفية",
            "min_experience_years": "2",
            "required_documents": ["national_id", "diploma", "transcript"],
        },
    ),
    (
        103, "MOH", -45, -12,
        {
            "title_ar": "سائق/ة سيارة إسعاف",
            "title_en": "Ambulance driver",
            "unit": "",
            "vacancies": "5",
            "governorate": "hebron",
            "grade": "العاشرة",
            "description": "قيادة سيارات الإسعاف ونقل المرضى والمصابين، والمحافظة على جاهزية المركبة.",
            "degree_level": "secondary",
            "majors": "",
            "min_experience_years": "3",
            "required_documents": ["national_id", "diploma", "other"],
        },
    ),
)


def ensure_recruitment_staff(archive: Archive) -> list[tuple[str, str]]:
    """Create the recruitment department and its clerks when missing; return new (username, password)."""
    created = []
    with archive.db.session() as session:
        code, name_ar, name_en = DEPARTMENT
        if not session.scalar(select(Department).where(Department.code == code)):
            accounts.add_department(session, code, name_ar, name_en, recruitment=True)
        for username in STAFF_USERS:
            if session.scalar(select(User).where(User.username == username)):
                continue
            password = secrets.token_urlsafe(9)
            accounts.add_user(session, username, code, "clerk", password)
            created.append((username, password))
    return created


def seed_recruitment(archive: Archive, samples_dir: Path) -> Iterator[str]:
    """Add the sample announcements, applications and committee, and import the yearly figures, each only once."""
    yield from _seed_announcements(archive)
    yield from seed_screening(archive)
    yield from _import_statistics(archive, samples_dir / STATISTICS_FILE)


def _local_text(moment: datetime, hour: int) -> str:
    return to_local(moment).strftime(f"%Y-%m-%d {hour:02d}:00")


def _seed_announcements(archive: Archive) -> Iterator[str]:
    now = utcnow()
    with archive.db.session() as session:
        clerk = session.scalar(select(User).where(User.username == STAFF_USER))
        if session.scalar(select(Announcement.id).where(Announcement.created_by_id == clerk.id).limit(1)):
            return
        for sequence, ministry, opens_in, closes_in, fields in SAMPLES:
            values = {
                **fields,
                "number": f"{sequence}/{to_local(now).year}",
                "ministry": ministry,
                "opens_at": _local_text(now + timedelta(days=opens_in), 8),
                "closes_at": _local_text(now + timedelta(days=closes_in), 14),
            }
            announcement = create_announcement(session, clerk, values)
            # Published the day before it opened, as the council announces ahead of the window.
            publish(session, clerk, announcement, now=announcement.opens_at - timedelta(days=1))
            yield f"announcement {announcement.number}\t{announcement.title_en}"


def _import_statistics(archive: Archive, path: Path) -> Iterator[str]:
    rows = read_figures_csv(path)
    with archive.db.session() as session:
        stored = set(session.scalars(select(YearlyFigures.year)))
        missing = [row for row in rows if row.year not in stored]
        if missing:
            import_figures(session, missing, path.name)
    if missing:
        yield f"yearly figures imported: {', '.join(str(row.year) for row in missing)}"
