"""Translations through gettext catalogues: Arabic first, English second.

Message ids are English. Catalogues live in web/locale/<lang>/LC_MESSAGES/messages.po and are
compiled to .mo on first use, so a fresh checkout needs no build step.
"""

import gettext
import logging
import threading
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

logger = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent.parent / "web" / "locale"
LANGUAGES = ("ar", "en")
RTL_LANGUAGES = frozenset({"ar"})
_compile_lock = threading.Lock()


def _compile_if_needed(language: str) -> None:
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po_file, mo_file = folder / "messages.po", folder / "messages.mo"
    if not po_file.exists():
        return
    with _compile_lock:
        if mo_file.exists() and mo_file.stat().st_mtime >= po_file.stat().st_mtime:
            return
        with po_file.open("rb") as source:
            catalog = read_po(source, locale=language)
        temporary = mo_file.with_suffix(".mo.tmp")
        with temporary.open("wb") as target:
            write_mo(target, catalog)
        temporary.replace(mo_file)


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext.NullTranslations:
    if language not in LANGUAGES:
        language = LANGUAGES[0]
    try:
        _compile_if_needed(language)
    except OSError:
        logger.exception("could not compile the %s catalogue; showing English", language)
    return gettext.translation("messages", LOCALE_DIR, languages=[language], fallback=True)


def gettext_for(language: str):
    return translations(language).gettext


def ngettext_for(language: str):
    return translations(language).ngettext


def pick_language(accept_language: str | None, default: str) -> str:
    """Choose ar or en from an Accept-Language header."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return default


def direction(language: str) -> str:
    return "rtl" if language in RTL_LANGUAGES else "ltr"
