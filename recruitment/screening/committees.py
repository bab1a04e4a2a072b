"""Screening committees: one per announcement, formed by editors, with members and a chair.

A committee can be formed once the announcement is published and changed until its chair
closes screening. Every change is written to the audit log in the caller's transaction.
"""

import logging
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archive_api.accounts.models import Department, User
from archive_api.audit.service import record
from archive_api.errors import N_, DiwanError
from archive_api.timeutil import utcnow
from recruitment.announcements.models import Announcement
from recruitment.announcements.service import get_published
from recruitment.announcements.window import STATE_CLOSED, window_state
from recruitment.screening.access import require_screening_editor
from recruitment.screening.errors import CommitteeNotFound, InvalidCommittee, ScreeningClosed, ScreeningNotOpen
from recruitment.screening.models import CommitteeMember, ScreeningCommittee

logger = logging.getLogger(__name__)

MAX_MEMBERS = 15


def find_committee(session: Session, announcement_id: int) -> ScreeningCommittee | None:
    return session.scalar(select(ScreeningCommittee).where(ScreeningCommittee.announcement_id == announcement_id))


def committee_of(session: Session, announcement_id: int) -> ScreeningCommittee:
    """Return the announcement's committee, or raise CommitteeNotFound."""
    committee = find_committee(session, announcement_id)
    if committee is None:
        announcement = get_published(session, announcement_id)
        raise CommitteeNotFound(
            N_("Announcement %(number)s has no screening committee yet; an administrator or clerk forms it on the "
               "committee page."),
            number=announcement.number,
        )
    return committee


def lock_committee(session: Session, committee: ScreeningCommittee) -> ScreeningCommittee:
    """Lock the committee row until the transaction ends and reload it, so decisions and closing never interleave.

    On SQLite the write transaction (BEGIN IMMEDIATE) already excludes other writers.
    """
    session.execute(select(ScreeningCommittee.id).where(ScreeningCommittee.id == committee.id).with_for_update())
    session.refresh(committee)
    return committee


def members_of(session: Session, committee: ScreeningCommittee) -> list[User]:
    """Return the committee's members by username."""
    return list(session.scalars(
        select(User).join(CommitteeMember, CommitteeMember.user_id == User.id)
        .where(CommitteeMember.committee_id == committee.id).order_by(User.username)
    ).unique())


def possible_members(session: Session) -> list[User]:
    """Return the active users of recruitment departments, who may sit on committees."""
    return list(session.scalars(
        select(User).join(Department, Department.id == User.department_id)
        .where(Department.recruitment.is_(True), User.active.is_(True)).order_by(User.username)
    ).unique())


def require_screening_open(announcement: Announcement, now: datetime) -> None:
    """Raise ScreeningNotOpen while the announcement still accepts applications."""
    if window_state(announcement.status, announcement.opens_at, announcement.closes_at, now) == STATE_CLOSED:
        return
    raise ScreeningNotOpen(
        N_("Announcement %(number)s accepts applications until its closing time, so its applications cannot be "
           "screened yet; come back after it closes."),
        number=announcement.number,
    )


def require_not_closed(committee: ScreeningCommittee) -> None:
    if committee.closed_at is None:
        return
    raise ScreeningClosed(
        N_("The screening of announcement %(number)s was closed; its committee and decisions can no longer change."),
        number=committee.announcement.number,
    )


def _chosen_members(session: Session, member_ids: list[int], chair_id: int | None) -> list[User]:
    """Check the chosen members and chair; raises InvalidCommittee with an error per form field."""
    errors: dict[str, DiwanError] = {}
    allowed = {user.id: user for user in possible_members(session)}
    chosen = [allowed[user_id] for user_id in dict.fromkeys(member_ids) if user_id in allowed]
    unknown = [str(user_id) for user_id in member_ids if user_id not in allowed]

    if unknown:
        errors["members"] = InvalidCommittee(
            N_("Users %(ids)s are not active staff of a recruitment department; choose members from the list."),
            ids=", ".join(unknown))
    elif not chosen:
        errors["members"] = InvalidCommittee(N_("Choose at least one member for the committee."))
    elif len(chosen) > MAX_MEMBERS:
        errors["members"] = InvalidCommittee(N_("A committee has at most %(maximum)d members; you chose %(count)d."),
                                             maximum=MAX_MEMBERS, count=len(chosen))
    if chair_id is None:
        errors["chair"] = InvalidCommittee(N_("Choose the committee's chair."))
    elif chair_id not in {user.id for user in chosen}:
        errors["chair"] = InvalidCommittee(N_("The chair must be one of the members you chose; tick them as a member."))

    if errors:
        raise InvalidCommittee(N_("The committee was not saved; correct the fields marked below."), errors)
    return chosen


def save_committee(session: Session, user: User, announcement_id: int, member_ids: list[int],
                   chair_id: int | None) -> ScreeningCommittee:
    """Form the announcement's committee, or replace its members and chair, and audit the change.

    Raises InvalidCommittee for bad members or chair and ScreeningClosed once screening is closed.
    Decisions already made stay, even when their member leaves the committee.
    """
    require_screening_editor(user)
    announcement = get_published(session, announcement_id)
    committee = find_committee(session, announcement.id)
    if committee is not None:
        lock_committee(session, committee)
        require_not_closed(committee)
    members = _chosen_members(session, member_ids, chair_id)

    if committee is None:
        committee = ScreeningCommittee(announcement_id=announcement.id, chair_id=chair_id, created_by_id=user.id)
        session.add(committee)
        session.flush()
    committee.chair_id = chair_id
    committee.updated_at = utcnow()
    session.execute(delete(CommitteeMember).where(CommitteeMember.committee_id == committee.id))
    for member in members:
        session.add(CommitteeMember(committee_id=committee.id, user_id=member.id))
    session.flush()
    session.refresh(committee)

    record(session, user, "screening_committee_save", "announcement", announcement.id,
           {"number": announcement.number, "members": [member.username for member in members],
            "chair": committee.chair.username})
    logger.info("screening committee saved id=%s announcement=%s members=%d user=%s", committee.id,
                announcement.id, len(members), user.id)
    return committee
