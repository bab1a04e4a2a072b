"""Share links for an announcement: plain links to each network's share page, no scripts.

Each link carries only the public address and title, URL-encoded, so the visitor's browser
contacts the network only when they click it.
"""

import logging
from dataclasses import dataclass
from urllib.parse import quote, urlencode

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShareLink:
    network: str  # a stable code, used as a CSS class
    label: str  # the network's own name, the same in every language
    href: str


def _query(**params: str) -> str:
    return urlencode(params, quote_via=quote)


def share_links(url: str, title: str) -> list[ShareLink]:
    """Return share links for the absolute `url` of a page with the given title."""
    return [
        ShareLink("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?" + _query(u=url)),
        ShareLink("x", "X (Twitter)", "https://twitter.com/intent/tweet?" + _query(text=title, url=url)),
        ShareLink("whatsapp", "WhatsApp", "https://wa.me/?" + _query(text=f"{title} {url}")),
        ShareLink("telegram", "Telegram", "https://t.me/share/url?" + _query(url=url, text=title)),
    ]
