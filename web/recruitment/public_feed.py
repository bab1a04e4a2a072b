"""The Atom feed of published announcements at /jobs/feed.atom, open to everyone."""

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from archive_api.api.deps import SessionDep
from archive_api.i18n import gettext_for
from archive_api.timeutil import utcnow
from recruitment.announcements.feed import MAX_ENTRIES, MEDIA_TYPE, build_feed
from recruitment.announcements.models import Announcement
from recruitment.announcements.service import PUBLIC_STATUSES
from web.recruitment.public_views import public_base_url

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

# Feed readers poll; a few minutes of caching spares the database without hiding a new job long.
CACHE_SECONDS = 300


@router.get("/jobs/feed.atom")
def jobs_feed(request: Request, session: SessionDep) -> Response:
    announcements = list(
        session.scalars(
            select(Announcement)
            .where(Announcement.status.in_(PUBLIC_STATUSES))
            .order_by(Announcement.published_at.desc(), Announcement.id.desc())
            .limit(MAX_ENTRIES)
        )
    )
    # The feed is Arabic whatever the visitor's language cookie, so every reader gets the same document.
    body = build_feed(announcements, public_base_url(request), gettext_for("ar"), utcnow())
    return Response(
        body,
        media_type=f"{MEDIA_TYPE}; charset=utf-8",
        headers={"Cache-Control": f"public, max-age={CACHE_SECONDS}"},
    )
