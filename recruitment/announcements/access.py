"""Permissions for announcements and statistics, given to staff of recruitment departments.

Every role of a department flagged recruitment may read announcements and the statistics;
administrators and clerks may also draft, publish, close and extend them.
"""

import logging

from archive_api.accounts.models import User
from archive_api.errors import N_, PermissionDenied

logger = logging.getLogger(__name__)

EDITOR_ROLES = ("admin", "clerk")


def require_recruitment_staff(user: User) -> User:
    """Return the user when their department is a recruitment department, else raise PermissionDenied."""
    if not user.department.recruitment:
        raise PermissionDenied(
            N_("This page is for staff of the recruitment department only; ask an administrator for access.")
        )
    return user


def require_announcement_editor(user: User) -> User:
    """Return the user when they may change announcements: an admin or clerk of a recruitment department."""
    require_recruitment_staff(user)
    if user.role not in EDITOR_ROLES:
        raise PermissionDenied(
            N_("Only administrators and clerks of the recruitment department can change announcements.")
        )
    return user


def can_edit_announcements(user: User | None) -> bool:
    return user is not None and user.department.recruitment and user.role in EDITOR_ROLES
