"""Stored English failure reasons displayed in Arabic by matching the catalogue's templates."""

from archive_api.i18n import gettext_for
from web.failures import translate_stored_message

TIMEOUT = ("A page took longer than %(seconds)d seconds (DIWAN_PAGE_TIMEOUT_S); check the file or raise the limit, "
           "then retry.")
EMPTY = "%(name)s is empty (0 bytes). Upload the file again, or scan the document again."


def test_failure_with_number_translated():
    stored = TIMEOUT % {"seconds": 180}

    displayed = translate_stored_message(stored, "ar")

    assert displayed == gettext_for("ar")(TIMEOUT) % {"seconds": 180}


def test_failure_with_file_name_translated():
    stored = EMPTY % {"name": "عقد 2019.pdf"}

    displayed = translate_stored_message(stored, "ar")

    assert displayed == gettext_for("ar")(EMPTY) % {"name": "عقد 2019.pdf"}


def test_failure_unknown_kept():
    assert translate_stored_message("something odd happened", "ar") == "something odd happened"


def test_failure_english_unchanged():
    stored = TIMEOUT % {"seconds": 180}

    assert translate_stored_message(stored, "en") == stored


def test_failure_empty_kept():
    assert translate_stored_message("", "ar") == ""
