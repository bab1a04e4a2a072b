"""Presentation of an announcement: its window in Palestine time, its state, its requirements.

Shared by the public pages and the staff pages, so both show the same times and states.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from fastapi import Request

from archive_api.context import get_archive
from archive_api.timeutil import to_local
from recruitment.announcements.labels import DEGREE_NAMES, DOCUMENT_KIND_NAMES, GOVERNORATE_NAMES
from recruitment.announcements.models import Announcement
from recruitment.announcements.service import majors_of, required_documents_of, state_of
from recruitment.announcements.window import DISPLAY_FORMAT, offset_label

logger = logging.getLogger(__name__)

# The catalogue names of stored codes, for templates: _(names.governorates[code]).
NAMES = SimpleNamespace(governorates=GOVERNORATE_NAMES, degrees=DEGREE_NAMES, documents=DOCUMENT_KIND_NAMES)


@dataclass(frozen=True)
class LocalMoment:
    """A naive UTC instant as Palestine shows it."""

    text: str  # YYYY-MM-DD HH:MM
    offset: str  # UTC+03:00
    iso: str  # for <time datetime>, with the offset

    @classmethod
    def of(cls, moment: datetime) -> "LocalMoment":
        local = to_local(moment)
        return cls(local.strftime(DISPLAY_FORMAT), offset_label(moment), local.isoformat(timespec="minutes"))


@dataclass(frozen=True)
class AnnouncementView:
    announcement: Announcement
    state: str  # draft, upcoming, open or closed
    opens: LocalMoment
    closes: LocalMoment
    majors: list[str]
    documents: list[str]

    def title(self, language: str) -> str:
        if language == "en" and self.announcement.title_en:
            return self.announcement.title_en
        return self.announcement.title_ar


def view_of(announcement: Announcement, now: datetime) -> AnnouncementView:
    return AnnouncementView(
        announcement=announcement,
        state=state_of(announcement, now),
        opens=LocalMoment.of(announcement.opens_at),
        closes=LocalMoment.of(announcement.closes_at),
        majors=majors_of(announcement),
        documents=required_documents_of(announcement),
    )


def public_base_url(request: Request) -> str:
    """Return the site's public address without a trailing slash: the setting, else this request's."""
    configured = get_archive().settings.public_base_url
    if configured:
        return configured
    return str(request.base_url).rstrip("/")
