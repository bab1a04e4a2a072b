"""The catalogues: every message in the code has an Arabic translation with the same placeholders."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "web" / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdirfg]")


def _code_messages() -> dict[str, str]:
    """Return every msgid marked with _() or N_() in the code and templates, with one place it is used."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={"_": None, "N_": None, "gettext": None}
    ):
        if isinstance(message, str) and message:
            found.setdefault(message, f"{filename}:{lineno}")
    return found


def _catalogue(language: str):
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


@pytest.fixture(scope="module")
def code_messages() -> dict[str, str]:
    return _code_messages()


@pytest.fixture(scope="module")
def arabic():
    return _catalogue("ar")


def test_code_has_messages(code_messages):
    assert len(code_messages) > 100


def test_every_message_translated_to_arabic(code_messages, arabic):
    missing = [
        f"{place}: {msgid!r}" for msgid, place in sorted(code_messages.items(), key=lambda item: item[1])
        if not (entry := arabic.get(msgid)) or not entry.string or entry.fuzzy
    ]

    assert missing == [], "run scripts/update-translations.sh and translate:\n" + "\n".join(missing)


def test_arabic_keeps_placeholders(arabic):
    wrong = [
        message.id for message in arabic
        if message.id and message.string
        and sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string))
    ]

    assert wrong == []


def test_arabic_placeholder_types_match(arabic):
    wrong = [
        message.id for message in arabic
        if message.id and message.string
        and sorted(re.findall(r"%\(\w+\)\w", message.id)) != sorted(re.findall(r"%\(\w+\)\w", message.string))
    ]

    assert wrong == []


def test_arabic_catalogue_passes_babel_checks(arabic):
    problems = [(message.id, [str(error) for error in errors]) for message, errors in arabic.check()]

    assert problems == []


def test_arabic_is_arabic(arabic):
    not_arabic = [
        message.id for message in arabic
        if message.id and message.string and not re.search("[\u0600-\u06ff]", message.string)
    ]

    assert not_arabic == []


def test_english_catalogue_lists_same_messages(arabic):
    english_ids = {message.id for message in _catalogue("en") if message.id}
    arabic_ids = {message.id for message in arabic if message.id}

    assert english_ids == arabic_ids
