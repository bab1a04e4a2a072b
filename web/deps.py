"""Signed-in user lookup for the web UI, and the roles that pages require.

The user is looked up in a short read-only database session of its own, so a page that hands
long work to the services (an upload) does not hold a write transaction while it waits.
"""

import logging
from typing import Annotated

from fastapi import Depends, Request

from archive_api.accounts.models import User
from archive_api.api.deps import ArchiveDep, NotAuthenticated, current_user, require_admin
from archive_api.documents.service import require_uploader

logger = logging.getLogger(__name__)


async def signed_in_user(request: Request, archive: ArchiveDep) -> User:
    """Return the signed-in user (CSRF checked on unsafe methods) or raise NotAuthenticated."""
    with archive.db.session(write=False) as session:
        user = await current_user(request, session)
    request.state.user = user
    return user


async def optional_user(request: Request, archive: ArchiveDep) -> User | None:
    """Return the signed-in user, or None for a visitor who has not signed in."""
    try:
        return await signed_in_user(request, archive)
    except NotAuthenticated:
        return None


WebUser = Annotated[User, Depends(signed_in_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]


def uploader_user(user: WebUser) -> User:
    require_uploader(user)
    return user


def admin_user(user: WebUser) -> User:
    return require_admin(user)


UploaderUser = Annotated[User, Depends(uploader_user)]
AdminUser = Annotated[User, Depends(admin_user)]
