"""The outbox: messages written in the caller's transaction, templates, languages and gateways."""

import pytest
from sqlalchemy import select

from recruitment.applicants.models import Applicant
from recruitment.notify.models import STATUS_QUEUED, SmsMessage
from recruitment.notify.parts import sms_size
from recruitment.notify.service import queue_sms
from recruitment.notify.templates import (
    TEMPLATES,
    MissingPlaceholder,
    TemplateError,
    UnknownTemplate,
    masked_text,
    placeholders_of,
    render_template,
)
from tests.recruitment import test_applicant_fixtures as support
from tests.recruitment.test_applicant_fixtures import outbox

make_applicant = support.make_applicant

CODE_PARAMS = {"code": "493817", "expires": "14:35"}
RECEIVED = {"job_title": "محاسب في وزارة المالية", "number": "2026-147-00023"}


class Boom(Exception):
    pass


def _applicant(session, national_id: str) -> Applicant:
    return session.scalar(select(Applicant).where(Applicant.national_id == national_id))


def _count(archive) -> int:
    with archive.db.session(write=False) as session:
        return len(session.scalars(select(SmsMessage.id)).all())


@pytest.fixture
def arabic_applicant(make_applicant):
    return make_applicant()


def test_queue_renders_arabic(archive, arabic_applicant):
    with archive.db.session() as session:
        message = queue_sms(session, _applicant(session, arabic_applicant), "application_received", RECEIVED,
                            "application")

    assert message.body == "وصل طلبك لوظيفة محاسب في وزارة المالية، ورقمه 2026-147-00023. احتفظ بالرقم " \
                           "لمتابعة طلبك في ديوان."
    assert message.language == "ar"
    assert message.status == STATUS_QUEUED
    assert message.to_number == "+970599123456"


def test_queue_renders_english(archive, make_applicant):
    national_id = make_applicant(language="en")
    with archive.db.session() as session:
        message = queue_sms(session, _applicant(session, national_id), "application_received",
                            {"job_title": "Accountant", "number": "2026-147-00023"}, "application")

    assert message.body.startswith("Your application for Accountant was received; its number is 2026-147-00023.")
    assert message.language == "en"
    assert sms_size(message.body).encoding == "gsm7"


def test_rollback_sends_nothing(archive, arabic_applicant):
    before = _count(archive)

    with pytest.raises(Boom), archive.db.session() as session:
        queue_sms(session, _applicant(session, arabic_applicant), "password_changed", {}, "password_reset")
        raise Boom

    assert _count(archive) == before


def test_commit_keeps_message(archive, arabic_applicant):
    before = _count(archive)

    with archive.db.session() as session:
        queue_sms(session, _applicant(session, arabic_applicant), "password_changed", {}, "password_reset")

    assert _count(archive) == before + 1


def test_missing_placeholder_queues_nothing(archive, arabic_applicant):
    before = _count(archive)

    with archive.db.session() as session, pytest.raises(MissingPlaceholder) as raised:
        queue_sms(session, _applicant(session, arabic_applicant), "application_received",
                  {"job_title": "محاسب"}, "application")

    assert raised.value.params == {"template": "application_received", "names": "number"}
    assert _count(archive) == before


def test_blank_value_is_missing():
    with pytest.raises(MissingPlaceholder) as raised:
        render_template("application_received", {"job_title": "  ", "number": "1"}, "ar")

    assert raised.value.params["names"] == "job_title"


def test_unused_parameter_rejected():
    with pytest.raises(MissingPlaceholder) as raised:
        render_template("password_changed", {"cdoe": "123456"}, "ar")

    assert raised.value.message == "SMS template %(template)s has no placeholder %(names)s; check the parameter names."


def test_unknown_template():
    with pytest.raises(UnknownTemplate):
        render_template("exam_invitation", {}, "ar")


def test_invalid_stage(archive, arabic_applicant):
    with archive.db.session() as session, pytest.raises(TemplateError) as raised:
        queue_sms(session, _applicant(session, arabic_applicant), "password_changed", {}, "Sign Up!")

    assert raised.value.params == {"stage": "Sign Up!"}


def test_too_many_parts(archive, arabic_applicant):
    with archive.db.session() as session, pytest.raises(TemplateError) as raised:
        queue_sms(session, _applicant(session, arabic_applicant), "application_received",
                  {"job_title": "ب" * 500, "number": "1"}, "application")

    assert raised.value.params["parts"] > 6


def test_idempotency_keys_differ(archive, arabic_applicant):
    with archive.db.session() as session:
        applicant = _applicant(session, arabic_applicant)
        first = queue_sms(session, applicant, "password_changed", {}, "password_reset")
        second = queue_sms(session, applicant, "password_changed", {}, "password_reset")

    assert first.idempotency_key != second.idempotency_key


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_variants_share_placeholders(key):
    template = TEMPLATES[key]

    assert placeholders_of(template.arabic) == placeholders_of(template.english)


@pytest.mark.parametrize("key", ["sign_up_code", "password_reset_code"])
def test_arabic_codes_fit_one_part(key):
    assert sms_size(render_template(key, CODE_PARAMS, "ar")).parts == 1


def test_password_changed_fits_one_part():
    assert sms_size(render_template("password_changed", {}, "ar")).parts == 1


def test_mask_hides_code():
    body = render_template("sign_up_code", CODE_PARAMS, "ar")

    assert "493817" not in masked_text("sign_up_code", body)
    assert "14:35" in masked_text("sign_up_code", body)


def test_mask_keeps_application_number():
    body = render_template("application_received", {"job_title": "محاسب", "number": "2026-147-123456"}, "ar")

    assert masked_text("application_received", body) == body


def test_outbox_helper_lists_messages(archive, arabic_applicant):
    assert [message.template for message in outbox(archive, arabic_applicant)] == ["sign_up_code"]
