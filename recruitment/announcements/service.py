"""Announcements: drafting, editing, publishing, closing, extending, and finding them.

Other modules call `is_open`, `get_published` and `list_announcements`. Every change made here
is appended to the audit log in the caller's transaction; the caller commits.
"""

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from archive_api.accounts.models import Department, User
from archive_api.audit.service import record
from archive_api.errors import N_, Conflict, NotFound, Term
from archive_api.i18n import gettext_for
from archive_api.timeutil import to_local, utcnow
from recruitment.announcements.access import require_announcement_editor
from recruitment.announcements.labels import GOVERNORATE_NAMES
from recruitment.announcements.models import (
    DEGREE_LEVELS,
    STATUS_CLOSED,
    STATUS_DRAFT,
    STATUS_PUBLISHED,
    Announcement,
)
from recruitment.announcements.validation import (
    AnnouncementFields,
    InvalidAnnouncementField,
    clean_announcement,
)
from recruitment.announcements.window import (
    DISPLAY_FORMAT,
    STATE_OPEN,
    Occurrence,
    parse_local_time,
    window_state,
)
from recruitment.screening.models import ScreeningCommittee
from search.analysis import analyze

logger = logging.getLogger(__name__)

# Statuses shown to the public: a closed announcement stays visible, marked as closed.
PUBLIC_STATUSES = (STATUS_PUBLISHED, STATUS_CLOSED)
ALL_STATUSES = (STATUS_DRAFT, STATUS_PUBLISHED, STATUS_CLOSED)
MAX_PER_PAGE = 100


class AnnouncementStateError(Conflict):
    code = "announcement_state"


@dataclass(frozen=True)
class AnnouncementFilters:
    """Filters of an announcement listing; an empty value does not filter."""

    query: str = ""
    ministry_id: int | None = None
    governorate: str | None = None
    # The applicant's own degree: announcements that require it or a lower one, or none.
    degree_level: str | None = None
    # Only announcements that accept applications at this naive UTC instant.
    open_at: datetime | None = None
    statuses: tuple[str, ...] = PUBLIC_STATUSES


@dataclass
class AnnouncementPage:
    items: list[Announcement]
    total: int
    page: int
    per_page: int
    page_count: int = field(init=False)

    def __post_init__(self) -> None:
        self.page_count = max(1, math.ceil(self.total / self.per_page))


# --- reading -------------------------------------------------------------------------------------


def is_open(announcement: Announcement, now: datetime) -> bool:
    """Return True when the announcement accepts applications at the naive UTC instant `now`.

    The window includes its opening instant and excludes its closing instant; a draft or a
    closed announcement is never open.
    """
    return state_of(announcement, now) == STATE_OPEN


def state_of(announcement: Announcement, now: datetime) -> str:
    """Return draft, upcoming, open or closed at the naive UTC instant `now`."""
    return window_state(announcement.status, announcement.opens_at, announcement.closes_at, now)


def get_announcement(session: Session, announcement_id: int) -> Announcement:
    """Return an announcement in any status, for staff pages."""
    announcement = session.get(Announcement, announcement_id)
    if announcement is None:
        raise NotFound(N_("Announcement %(id)s does not exist; go back to the list of announcements."),
                       id=announcement_id)
    return announcement


def get_published(session: Session, announcement_id: int) -> Announcement:
    """Return an announcement that was published (it may be closed since); a draft raises NotFound."""
    announcement = session.get(Announcement, announcement_id)
    if announcement is None or announcement.status not in PUBLIC_STATUSES:
        raise NotFound(
            N_("Job announcement %(id)s does not exist or is not published; see the list of jobs."),
            id=announcement_id,
        )
    return announcement


def majors_of(announcement: Announcement) -> list[str]:
    return json.loads(announcement.majors or "[]")


def required_documents_of(announcement: Announcement) -> list[str]:
    return json.loads(announcement.required_documents or "[]")


def list_announcements(
    session: Session, filters: AnnouncementFilters, page: int = 1, per_page: int = 20
) -> AnnouncementPage:
    """Return one page of announcements matching the filters, newest published first."""
    page = max(1, page)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    query = _filtered(select(Announcement), filters)

    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(
        func.coalesce(Announcement.published_at, Announcement.created_at).desc(), Announcement.id.desc()
    )
    items = list(session.scalars(ordered.offset((page - 1) * per_page).limit(per_page)).unique())
    return AnnouncementPage(items=items, total=total, page=page, per_page=per_page)


def _filtered(query: Select, filters: AnnouncementFilters) -> Select:
    query = query.where(Announcement.status.in_(filters.statuses))
    if filters.ministry_id is not None:
        query = query.where(Announcement.ministry_id == filters.ministry_id)
    if filters.governorate:
        query = query.where(Announcement.governorate == filters.governorate)
    if filters.degree_level in DEGREE_LEVELS:
        accepted = DEGREE_LEVELS[: DEGREE_LEVELS.index(filters.degree_level) + 1]
        query = query.where(or_(Announcement.degree_level.is_(None), Announcement.degree_level.in_(accepted)))
    if filters.open_at is not None:
        query = query.where(
            Announcement.status == STATUS_PUBLISHED,
            Announcement.opens_at <= filters.open_at,
            Announcement.closes_at > filters.open_at,
        )
    # TODO: LIKE on search_text scans every public announcement (about 150 a year); index the
    # announcements in the search backend if the listing slows down.
    # Each analysed word of the query must start a word of the announcement, so a half-typed word
    # matches. A number must match whole, so 2 does not find every announcement of 2026.
    for term in dict.fromkeys(analyze(filters.query)):
        pattern = f" {term} " if term.isdigit() else f" {term}"
        query = query.where(Announcement.search_text.contains(pattern, autoescape=True))
    return query


def search_text_for(fields: AnnouncementFields | Announcement, ministry: Department) -> str:
    """Return the analysed words that a public search matches, with a space at each end."""
    governorate = GOVERNORATE_NAMES[fields.governorate]
    parts = (fields.number, fields.title_ar, fields.title_en, ministry.name_ar, ministry.name_en,
             gettext_for("ar")(governorate), governorate, fields.unit, fields.description)
    terms = analyze(" ".join(part for part in parts if part))
    return f" {' '.join(terms)} "


# --- changing ------------------------------------------------------------------------------------


def create_announcement(session: Session, actor: User, values: Mapping) -> Announcement:
    """Check the form values and add a draft announcement."""
    require_announcement_editor(actor)
    fields = clean_announcement(session, values)

    announcement = Announcement(**fields.column_values(), status=STATUS_DRAFT, created_by_id=actor.id)
    announcement.search_text = search_text_for(fields, session.get(Department, fields.ministry_id))
    session.add(announcement)
    session.flush()

    record(session, actor, "announcement_create", "announcement", announcement.id, {"number": announcement.number})
    logger.info("announcement drafted id=%s", announcement.id)
    return announcement


def update_draft(session: Session, actor: User, announcement: Announcement, values: Mapping) -> list[str]:
    """Replace a draft's fields with checked form values; return the names of changed fields."""
    require_announcement_editor(actor)
    if announcement.status != STATUS_DRAFT:
        raise AnnouncementStateError(
            N_("Announcement %(number)s is already published, so only its closing time can be extended."),
            number=announcement.number,
        )
    fields = clean_announcement(session, values, current=announcement)

    changed = []
    for name, value in fields.column_values().items():
        if getattr(announcement, name) != value:
            setattr(announcement, name, value)
            changed.append(name)
    announcement.search_text = search_text_for(fields, session.get(Department, fields.ministry_id))
    session.flush()

    record(session, actor, "announcement_edit", "announcement", announcement.id,
           {"number": announcement.number, "changed": changed})
    logger.info("announcement draft edited id=%s fields=%d", announcement.id, len(changed))
    return changed


def publish(session: Session, actor: User, announcement: Announcement, now: datetime | None = None) -> None:
    """Make a draft public; its window must not have ended."""
    require_announcement_editor(actor)
    now = now or utcnow()
    if announcement.status != STATUS_DRAFT:
        raise AnnouncementStateError(
            N_("Announcement %(number)s is not a draft, so it cannot be published again."),
            number=announcement.number,
        )
    if announcement.closes_at <= now:
        raise InvalidAnnouncementField(
            N_("Announcement %(number)s closes at %(closes)s, which has passed; set a later closing time, "
               "then publish."),
            number=announcement.number,
            closes=_local(announcement.closes_at),
        )

    announcement.status = STATUS_PUBLISHED
    announcement.published_at = now
    session.flush()
    record(session, actor, "announcement_publish", "announcement", announcement.id, {"number": announcement.number})
    logger.info("announcement published id=%s", announcement.id)


def close(session: Session, actor: User, announcement: Announcement, now: datetime | None = None) -> None:
    """Stop a published announcement from accepting applications now, before its closing time."""
    require_announcement_editor(actor)
    if announcement.status != STATUS_PUBLISHED:
        raise AnnouncementStateError(
            N_("Announcement %(number)s is not published, so it cannot be closed."), number=announcement.number
        )

    announcement.status = STATUS_CLOSED
    announcement.closed_at = now or utcnow()
    session.flush()
    record(session, actor, "announcement_close", "announcement", announcement.id, {"number": announcement.number})
    logger.info("announcement closed id=%s", announcement.id)


def extend_closing(
    session: Session, actor: User, announcement: Announcement, closes_at_text: str, now: datetime | None = None
) -> datetime:
    """Move a published announcement's closing time later; return the new time (naive UTC).

    The new time is read as council local time, with the closing-time rule for the autumn hour.
    """
    require_announcement_editor(actor)
    now = now or utcnow()
    if announcement.status != STATUS_PUBLISHED:
        raise AnnouncementStateError(
            N_("Announcement %(number)s is not published, so its closing time cannot be extended."),
            number=announcement.number,
        )
    if session.scalar(select(ScreeningCommittee.id).where(ScreeningCommittee.announcement_id == announcement.id)):
        # Screening works on a final set of applications; a later one would never be decided.
        raise AnnouncementStateError(
            N_("Announcement %(number)s already has a screening committee, so its closing time cannot be "
               "extended; publish a new announcement for further applicants."),
            number=announcement.number,
        )
    new_closes_at = parse_local_time(closes_at_text, Term(N_("new closing time")), Occurrence.SECOND)
    _check_extension(announcement, new_closes_at, now)

    previous = announcement.closes_at
    announcement.closes_at = new_closes_at
    session.flush()
    record(session, actor, "announcement_extend", "announcement", announcement.id,
           {"number": announcement.number, "from": previous.isoformat(), "to": new_closes_at.isoformat()})
    logger.info("announcement closing extended id=%s", announcement.id)
    return new_closes_at


def _check_extension(announcement: Announcement, new_closes_at: datetime, now: datetime) -> None:
    if new_closes_at <= announcement.closes_at:
        raise InvalidAnnouncementField(
            N_("The new closing time %(value)s is not after the current one, %(current)s; a published "
               "announcement can only be extended."),
            value=_local(new_closes_at),
            current=_local(announcement.closes_at),
        )
    if new_closes_at <= now:
        raise InvalidAnnouncementField(
            N_("The new closing time %(value)s has already passed; choose a time in the future."),
            value=_local(new_closes_at),
        )


def _local(moment: datetime) -> str:
    return to_local(moment).strftime(DISPLAY_FORMAT)
