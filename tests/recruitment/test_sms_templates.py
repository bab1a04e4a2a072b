"""Staff edits of SMS templates: placeholder checks, storage with fallback, audit, preview and the editor page."""

import json

import pytest
from sqlalchemy import select

from archive_api.accounts.service import get_user
from archive_api.audit.models import AuditEntry
from recruitment.applicants.models import Applicant
from recruitment.notify.service import queue_sms
from recruitment.notify.template_store import (
    InvalidTemplateText,
    check_text,
    effective_template,
    preview,
    reset_template,
    save_template,
)
from recruitment.notify.templates import TEMPLATES, MissingPlaceholder
from tests.recruitment import test_applicant_fixtures as support
from tests.recruitment.test_sms_fixtures import RECEIVED, add_applicant
from tests.web.pages import arabic, translated

app = support.app
client = support.client
new_client = support.new_client
recruiters = support.recruiters
signed_in = support.signed_in
make_applicant = support.make_applicant
applicant_browser = support.applicant_browser
fresh_throttles = support.fresh_throttles

EDITED_AR = "طلبك {number} لوظيفة {job_title} وصل. تابع حالته في ديوان."
EDITED_EN = "Application {number} for {job_title} received. Follow it on Diwan."
FORM_PATH = "/recruitment/sms-templates/application_received"


@pytest.fixture
def clerk(archive, recruiters):
    with archive.db.session() as session:
        return get_user(session, "gpc.clerk")


@pytest.fixture
def editor(new_client, recruiters):
    browser = new_client()
    browser.login("gpc.clerk")
    return browser


@pytest.fixture
def reader(new_client, recruiters):
    browser = new_client()
    browser.login("gpc.reader")
    return browser


def _save(archive, clerk, arabic_text=EDITED_AR, english_text=EDITED_EN, key="application_received"):
    with archive.db.session() as session:
        return save_template(session, clerk, key, arabic_text, english_text)


def _queue_received(archive, language: str = "ar") -> str:
    applicant_id = add_applicant(archive, language=language)
    with archive.db.session() as session:
        return queue_sms(session, session.get(Applicant, applicant_id), "application_received", RECEIVED,
                         "application").body


def _audit(archive, action: str) -> list[AuditEntry]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_edit_used_for_new_messages(archive, clerk):
    _save(archive, clerk)

    assert _queue_received(archive) == "طلبك 2026-147-00023 لوظيفة محاسب في وزارة المالية وصل. تابع حالته في ديوان."


def test_edit_english_variant(archive, clerk):
    _save(archive, clerk)

    assert _queue_received(archive, "en").startswith("Application 2026-147-00023 for محاسب")


def test_built_in_without_edit(archive):
    assert _queue_received(archive).startswith("وصل طلبك لوظيفة محاسب في وزارة المالية")


def test_reset_restores_built_in(archive, clerk):
    _save(archive, clerk)
    with archive.db.session() as session:
        removed = reset_template(session, clerk, "application_received")

    assert removed
    assert _queue_received(archive).startswith("وصل طلبك لوظيفة")


def test_edit_audited(archive, clerk):
    _save(archive, clerk)

    entries = _audit(archive, "sms_template_edit")
    details = json.loads(entries[0].details)
    assert len(entries) == 1
    assert entries[0].actor == "gpc.clerk"
    assert entries[0].target_id == "application_received"
    assert details["arabic"]["before"] == TEMPLATES["application_received"].arabic
    assert details["arabic"]["after"] == EDITED_AR


def test_reset_audited(archive, clerk):
    _save(archive, clerk)
    with archive.db.session() as session:
        reset_template(session, clerk, "application_received")

    entries = _audit(archive, "sms_template_reset")
    assert len(entries) == 1
    assert json.loads(entries[0].details)["arabic"]["before"] == EDITED_AR


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("طلبك {number} وصل.", "lacks {job_title}"),
        ("طلبك {number} لوظيفة {job_title} في {ministry}.", "uses {ministry}"),
        ("طلبك {number لوظيفة {job_title}.", "does not close"),
        ("طلبك {number!r} لوظيفة {job_title}.", "{number!r}"),
        ("طلبك {number:>10} لوظيفة {job_title}.", "{number:>10}"),
        ("طلبك {} لوظيفة {job_title} {number}.", "placeholder {}"),
        ("طلبك {0} لوظيفة {job_title} {number}.", "placeholder {0}"),
        ("   ", "is empty"),
        ("{number} {job_title} " + "ب" * 600, "more than 600"),
        ("{number} {job_title} " + "ب" * 450, "parts with the sample values"),
    ],
)
def test_bad_text_refused(archive, clerk, text, words):
    with pytest.raises(InvalidTemplateText) as raised:
        _save(archive, clerk, arabic_text=text)

    assert words in raised.value.field_errors["arabic"].render()
    assert "english" not in raised.value.field_errors
    assert effective_template_text(archive) == TEMPLATES["application_received"].arabic


def effective_template_text(archive) -> str:
    with archive.db.session(write=False) as session:
        return effective_template(session, "application_received").arabic


def test_bad_english_refused(archive, clerk):
    with pytest.raises(InvalidTemplateText) as raised:
        _save(archive, clerk, english_text="Application {number} received.")

    assert "The English text lacks {job_title}" in raised.value.field_errors["english"].render()


def test_code_template_keeps_code(archive, clerk):
    with pytest.raises(InvalidTemplateText) as raised:
        _save(archive, clerk, "رمزك في ديوان صالح حتى {expires}.", "Your Diwan code is valid until {expires}.",
              key="sign_up_code")

    assert "lacks {code}" in raised.value.field_errors["arabic"].render()


def test_literal_braces_allowed():
    assert check_text("application_received", "ar", "طلبك {number} لوظيفة {job_title} {{مؤكد}}") is None


def test_missing_value_never_half_filled(archive, clerk):
    _save(archive, clerk)
    applicant_id = add_applicant(archive)

    with archive.db.session() as session, pytest.raises(MissingPlaceholder):
        queue_sms(session, session.get(Applicant, applicant_id), "application_received", {"number": "1"},
                  "application")


def test_preview_sizes():
    previews = preview("application_received", "ب" * 60 + " {number} {job_title}", EDITED_EN)

    assert previews[0].size.encoding == "ucs2"
    assert previews[0].size.parts == 2
    assert previews[1].size.encoding == "gsm7"
    assert previews[1].text.startswith("Application 2026-147-00023 for Accountant at the Ministry of Finance")


def test_preview_reports_error():
    previews = preview("application_received", "{number}", EDITED_EN)

    assert previews[0].text == ""
    assert previews[0].error is not None


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_built_in_texts_valid(key):
    template = TEMPLATES[key]

    assert all(item.error is None for item in preview(key, template.arabic, template.english))


# --- pages ------------------------------------------------------------------------------------

PAGES = ["/recruitment/sms-templates", FORM_PATH]


@pytest.mark.parametrize("path", PAGES)
def test_visitor_redirected(client, recruiters, path):
    response = client.get(path, follow_redirects=False)

    assert response.status_code == 303


@pytest.mark.parametrize("path", PAGES)
def test_other_department_refused(new_client, recruiters, path):
    browser = new_client()
    browser.login("hr.clerk")

    assert browser.get(path).status_code == 403


def test_applicant_refused(recruiters, new_client, make_applicant_browser):
    browser = make_applicant_browser()

    response = browser.get(FORM_PATH, follow_redirects=False)

    assert response.headers["location"].startswith("/login?next=")


@pytest.fixture
def make_applicant_browser(signed_in):
    def make():
        browser, _national_id = signed_in()
        return browser

    return make


def test_list_shows_parts(reader):
    response = reader.get("/recruitment/sms-templates")

    assert response.status_code == 200
    assert arabic("Application received") in response.text
    assert arabic("Parts in Arabic") in response.text


def test_form_shows_texts(reader):
    response = reader.get(FORM_PATH)

    assert TEMPLATES["application_received"].arabic in response.text
    assert "{job_title}" in response.text
    assert "readonly" in response.text


def test_unknown_template_404(reader):
    response = reader.get("/recruitment/sms-templates/nothing_here")

    assert response.status_code == 404
    assert arabic("SMS template %(template)s does not exist.", template="nothing_here") in response.text


def test_save_through_form(editor, archive):
    response = editor.post(FORM_PATH, {"arabic": EDITED_AR, "english": EDITED_EN})
    page = editor.get(response.headers["location"])

    assert response.status_code == 303
    assert arabic("The template was saved; new messages use these texts.") in page.text
    assert _queue_received(archive).startswith("طلبك 2026-147-00023")


def test_form_error_shown(editor, archive):
    response = editor.post(FORM_PATH, {"arabic": "طلبك {number}", "english": EDITED_EN})

    assert response.status_code == 422
    assert 'id="f-arabic-error"' in response.text
    assert arabic("%(field)s lacks %(names)s; every text of this message must contain %(known)s.",
                  field=translated("The Arabic text"), names="{job_title}", known="{job_title}, {number}") \
        in response.text
    assert "طلبك {number}" in response.text


def test_reader_cannot_save(reader, archive):
    response = reader.post(FORM_PATH, {"arabic": EDITED_AR, "english": EDITED_EN})

    assert response.status_code == 403
    assert effective_template_text(archive) == TEMPLATES["application_received"].arabic


def test_save_needs_csrf(editor, archive):
    response = editor.http.post(FORM_PATH, data={"arabic": EDITED_AR, "english": EDITED_EN},
                                follow_redirects=False)

    assert response.status_code == 403
    assert effective_template_text(archive) == TEMPLATES["application_received"].arabic


def test_htmx_preview_fragment(editor):
    response = editor.http.post(FORM_PATH + "/preview", data={"arabic": "ب" * 70 + "{number}{job_title}",
                                                               "english": EDITED_EN},
                                headers={"HX-Request": "true", "X-CSRF-Token": editor.csrf})

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="sms-preview"')
    assert arabic("Characters: %(characters)d · Encoding: %(encoding)s · Parts: %(parts)d", characters=106,
                  encoding="UCS2", parts=2) in response.text


def test_htmx_preview_error(editor):
    response = editor.http.post(FORM_PATH + "/preview", data={"arabic": "{nope}", "english": EDITED_EN},
                                headers={"HX-Request": "true", "X-CSRF-Token": editor.csrf})

    assert arabic("%(field)s uses %(names)s, which this message does not have; use only %(known)s.",
                  field=translated("The Arabic text"), names="{nope}", known="{job_title}, {number}") in response.text


def test_preview_without_htmx(editor):
    response = editor.post(FORM_PATH + "/preview", {"arabic": EDITED_AR, "english": EDITED_EN})

    assert response.status_code == 200
    assert "<html" in response.text
    assert "2026-147-00023" in response.text


def test_reset_through_form(editor, archive, clerk):
    _save(archive, clerk)

    response = editor.post(FORM_PATH + "/reset")

    assert response.status_code == 303
    assert effective_template_text(archive) == TEMPLATES["application_received"].arabic
