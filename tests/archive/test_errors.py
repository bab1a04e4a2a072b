from archive_api.errors import N_, DiwanError, Term, render_stored


def _arabic(message: str) -> str:
    return {"%(file)s is %(content)s.": "%(file)s هو %(content)s.", "plain text": "نص عادي"}.get(message, message)


def test_term_parameter_translated():
    error = DiwanError(N_("%(file)s is %(content)s."), file="a.pdf", content=Term(N_("plain text")))
    assert error.render() == "a.pdf is plain text."
    assert error.render(_arabic) == "a.pdf هو نص عادي."


def test_stored_reason_rendered_in_any_language():
    stored = DiwanError(N_("%(file)s is %(content)s."), file="a.pdf", content=Term(N_("plain text"))).to_json()
    assert render_stored(stored, "fallback") == "a.pdf is plain text."
    assert render_stored(stored, "fallback", _arabic) == "a.pdf هو نص عادي."


def test_stored_reason_missing_uses_fallback():
    assert render_stored(None, "stored English text", _arabic) == "stored English text"


def test_broken_translation_falls_back_to_english():
    error = DiwanError(N_("Page %(number)d failed."), number=3)
    assert error.render(lambda message: "الصفحة %(missing)s") == "Page 3 failed."
