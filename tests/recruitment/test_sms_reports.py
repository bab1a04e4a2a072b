"""The delivery report endpoint /sms/dlr: per-message tokens, report types and the order of reports."""

import pytest

from recruitment.notify.delivery import claim, hand_over, record_accepted
from recruitment.notify.gateway import Accepted
from recruitment.notify.models import STATUS_DELIVERED, STATUS_FAILED, STATUS_QUEUED, STATUS_SENT
from recruitment.notify.reasons import reason_text
from tests.recruitment.test_sms_fixtures import add_applicant, message, queue
from tests.web import conftest as web_fixtures

app = web_fixtures.app
client = web_fixtures.client
new_client = web_fixtures.new_client


@pytest.fixture
def handed_over(archive) -> tuple[int, str]:
    """A message handed to the gateway and not yet recorded; returns its id and report token."""
    [message_id] = queue(archive, add_applicant(archive))
    claim(archive.db, "worker-a", 10)
    return message_id, hand_over(archive.db, "worker-a", message_id).report_token


@pytest.fixture
def sent(archive, handed_over) -> tuple[int, str]:
    message_id, token = handed_over
    record_accepted(archive.db, message_id, Accepted(None))
    return message_id, token


def _report(client, message_id, token, report_type, reply: str = ""):
    return client.get("/sms/dlr", params={"id": str(message_id), "token": token, "type": str(report_type),
                                          "reply": reply, "at": "1796425928"})


def test_delivered_report(client, archive, sent):
    message_id, token = sent

    response = _report(client, message_id, token, 1)
    delivered = message(archive, message_id)

    assert response.status_code == 200
    assert delivered.status == STATUS_DELIVERED
    assert delivered.delivered_at is not None


def test_smsc_accepted_keeps_sent(client, archive, sent):
    message_id, token = sent

    _report(client, message_id, token, 8, "ACK/")

    assert message(archive, message_id).status == STATUS_SENT


def test_acceptance_before_record(client, archive, handed_over):
    message_id, token = handed_over

    _report(client, message_id, token, 8, "ACK/")

    assert message(archive, message_id).status == STATUS_SENT


def test_delivery_then_acceptance(client, archive, sent):
    message_id, token = sent

    _report(client, message_id, token, 1)
    _report(client, message_id, token, 8, "ACK/")

    assert message(archive, message_id).status == STATUS_DELIVERED


@pytest.mark.parametrize(("report_type", "words"), [(16, "SMS centre rejected"), (2, "could not be delivered")])
def test_failure_report(client, archive, sent, report_type, words):
    message_id, token = sent

    _report(client, message_id, token, report_type, "NACK/0x0000000b/Invalid Destination Address")
    failed = message(archive, message_id)

    assert failed.status == STATUS_FAILED
    assert words in reason_text(failed.last_error)
    assert "Invalid Destination Address" in reason_text(failed.last_error)


def test_failure_after_delivery(client, archive, sent):
    message_id, token = sent

    _report(client, message_id, token, 1)
    _report(client, message_id, token, 2, "late")

    assert message(archive, message_id).status == STATUS_DELIVERED


def test_wrong_token_refused(client, archive, sent):
    message_id, token = sent

    response = _report(client, message_id, token[:-1] + ("A" if token[-1] != "A" else "B"), 1)

    assert response.status_code == 403
    assert message(archive, message_id).status == STATUS_SENT


def test_unknown_id_refused(client, archive, sent):
    _message_id, token = sent

    response = _report(client, 999_999, token, 1)

    assert response.status_code == 403
    assert response.text == "The delivery report does not match a message sent by Diwan."


def test_missing_token_refused(client, archive, sent):
    message_id, _token = sent

    response = client.get("/sms/dlr", params={"id": str(message_id), "type": "1"})

    assert response.status_code == 403


def test_token_of_other_message(client, archive, sent):
    message_id, _token = sent
    [other_id] = queue(archive, add_applicant(archive, mobile="+970568765432"))
    other_token = message(archive, other_id).report_token

    response = _report(client, message_id, other_token, 1)

    assert response.status_code == 403


def test_queued_message_unchanged(client, archive):
    """A message that was never handed over gets no report, even with its own token."""
    [message_id] = queue(archive, add_applicant(archive))
    token = message(archive, message_id).report_token

    _report(client, message_id, token, 8)

    assert message(archive, message_id).status == STATUS_QUEUED


@pytest.mark.parametrize("value", ["", "3", "32", "-1", "1.0", "٨", "delivered", "9" * 30])
def test_bad_type_rejected(client, archive, sent, value):
    message_id, token = sent

    response = client.get("/sms/dlr", params={"id": str(message_id), "token": token, "type": value})

    assert response.status_code == 400
    assert message(archive, message_id).status == STATUS_SENT


@pytest.mark.parametrize("value", ["", "abc", "-5", "1e3", "١", "9" * 40])
def test_bad_id_rejected(client, archive, sent, value):
    _message_id, token = sent

    response = client.get("/sms/dlr", params={"id": value, "token": token, "type": "1"})

    assert response.status_code == 400


def test_long_reply_cut(client, archive, sent):
    message_id, token = sent

    response = _report(client, message_id, token, 16, "x" * 5000)

    assert response.status_code == 200
    assert len(reason_text(message(archive, message_id).last_error)) < 400


def test_no_session_needed(client, archive, sent):
    message_id, token = sent

    response = _report(client, message_id, token, 1)

    assert response.status_code == 200
    assert "set-cookie" not in response.headers
