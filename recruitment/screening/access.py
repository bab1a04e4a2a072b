"""Who may do what in screening: editors form committees, members decide, the chair closes.

Editors are administrators and clerks of a recruitment department (the same roles that change
announcements). Committee members may have any role in a recruitment department.
"""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_api.accounts.models import User
from archive_api.errors import N_, PermissionDenied
from recruitment.announcements.access import EDITOR_ROLES, require_recruitment_staff
from recruitment.screening.errors import NotChair, NotCommitteeMember
from recruitment.screening.models import CommitteeMember, ScreeningCommittee

logger = logging.getLogger(__name__)


def require_screening_editor(user: User) -> User:
    """Return the user when they may form committees, keep the reason catalogue and schedule sessions."""
    require_recruitment_staff(user)
    if user.role not in EDITOR_ROLES:
        raise PermissionDenied(
            N_("Only administrators and clerks of the recruitment department can form committees, keep the "
               "rejection reasons and schedule sessions.")
        )
    return user


def is_editor(user: User) -> bool:
    return user.department.recruitment and user.role in EDITOR_ROLES


def is_member(session: Session, committee: ScreeningCommittee, user: User) -> bool:
    found = session.scalar(select(CommitteeMember.id).where(CommitteeMember.committee_id == committee.id,
                                                           CommitteeMember.user_id == user.id))
    return found is not None


def require_member(session: Session, committee: ScreeningCommittee, user: User) -> User:
    """Return the user when they sit on the committee, else raise NotCommitteeMember."""
    require_recruitment_staff(user)
    if not is_member(session, committee, user):
        raise NotCommitteeMember(
            N_("You are not a member of the screening committee of announcement %(number)s, so you cannot see or "
               "decide its applications; ask the committee's chair or an administrator."),
            number=committee.announcement.number,
        )
    return user


def require_chair(session: Session, committee: ScreeningCommittee, user: User) -> User:
    """Return the user when they chair the committee, else raise NotChair."""
    require_member(session, committee, user)
    if committee.chair_id != user.id:
        raise NotChair(
            N_("Only the chair of the committee, %(chair)s, can close the screening of announcement %(number)s."),
            chair=committee.chair.username, number=committee.announcement.number,
        )
    return user
