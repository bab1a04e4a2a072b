"""The Atom 1.0 feed of published announcements (RFC 4287), in Arabic.

Entry ids are the announcements' public addresses, so changing DIWAN_PUBLIC_BASE_URL makes feed
readers show every entry again as new.
"""

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from xml.etree import ElementTree

from archive_api.errors import N_
from archive_api.timeutil import to_local
from recruitment.announcements.labels import GOVERNORATE_NAMES
from recruitment.announcements.models import Announcement
from recruitment.announcements.window import DISPLAY_FORMAT

logger = logging.getLogger(__name__)

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE = "application/atom+xml"
# Enough for every announcement of about four months at the council's yearly volume.
MAX_ENTRIES = 50

ElementTree.register_namespace("", ATOM_NS)


def _tag(name: str) -> str:
    return f"{{{ATOM_NS}}}{name}"


def _add(parent: ElementTree.Element, name: str, text: str | None = None, **attributes: str) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, _tag(name), attributes)
    if text is not None:
        element.text = text
    return element


def rfc3339(moment: datetime) -> str:
    """Format a naive UTC time as an Atom date, such as 2026-03-28T06:00:00Z."""
    return moment.replace(microsecond=0).isoformat() + "Z"


def announcement_url(base_url: str, announcement_id: int) -> str:
    return f"{base_url}/jobs/{announcement_id}"


def build_feed(
    announcements: Sequence[Announcement], base_url: str, translate: Callable[[str], str], now: datetime
) -> bytes:
    """Return the feed document as UTF-8 XML; `base_url` has no trailing slash."""
    feed = ElementTree.Element(_tag("feed"), {XML_LANG: "ar"})
    _add(feed, "title", translate(N_("Government job announcements")))
    _add(feed, "subtitle", translate(N_("Vacancies announced by the General Personnel Council")))
    _add(feed, "id", f"{base_url}/jobs")
    _add(feed, "link", rel="self", type=MEDIA_TYPE, href=f"{base_url}/jobs/feed.atom")
    _add(feed, "link", rel="alternate", type="text/html", href=f"{base_url}/jobs")
    updated = max((_updated(item) for item in announcements), default=now)
    _add(feed, "updated", rfc3339(updated))
    author = _add(feed, "author")
    _add(author, "name", translate(N_("General Personnel Council")))

    for announcement in announcements:
        _add_entry(feed, announcement, base_url, translate)

    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def _updated(announcement: Announcement) -> datetime:
    published = announcement.published_at or announcement.updated_at
    return max(announcement.updated_at, published)


def _add_entry(feed, announcement: Announcement, base_url: str, translate) -> None:
    url = announcement_url(base_url, announcement.id)
    entry = _add(feed, "entry")
    _add(entry, "id", url)
    _add(entry, "title", f"{announcement.title_ar} ({announcement.number})")
    _add(entry, "link", rel="alternate", type="text/html", href=url)
    _add(entry, "published", rfc3339(announcement.published_at or announcement.created_at))
    _add(entry, "updated", rfc3339(_updated(announcement)))
    governorate = translate(GOVERNORATE_NAMES[announcement.governorate])
    _add(entry, "category", term=announcement.governorate, label=governorate)
    _add(entry, "summary", _summary(announcement, governorate, translate), type="text")


def _summary(announcement: Announcement, governorate: str, translate) -> str:
    facts = translate(
        N_("%(ministry)s, %(governorate)s. Vacancies: %(vacancies)d. Applications from %(opens)s to %(closes)s "
           "(Palestine time).")
    ) % {
        "ministry": announcement.ministry.name_ar,
        "governorate": governorate,
        "vacancies": announcement.vacancies,
        "opens": to_local(announcement.opens_at).strftime(DISPLAY_FORMAT),
        "closes": to_local(announcement.closes_at).strftime(DISPLAY_FORMAT),
    }
    return f"{facts}\n{announcement.description}".strip()
