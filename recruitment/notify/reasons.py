"""Why a message waits or failed: stored in SmsMessage.last_error as a translatable message.

Reasons are saved with DiwanError.to_json, so the messages page shows them in the reader's
language. Rows written before that (plain text) are shown as they are.
"""

import json
import logging

from archive_api.errors import N_, DiwanError, Term, render_stored

logger = logging.getLogger(__name__)


class InvalidNumber(DiwanError):
    code = "sms_invalid_number"


class Unconfirmed(DiwanError):
    """A message that may have reached the gateway, with no delivery report within the waiting time."""

    code = "sms_unconfirmed"


class Undelivered(DiwanError):
    code = "sms_undelivered"


class GaveUp(DiwanError):
    code = "sms_gave_up"


UNCONFIRMED_MESSAGE = N_(
    "No delivery report came within %(hours)s h after the message was handed to the gateway, and the "
    "gateway's answer was lost because %(cause)s. It was not sent again, so that it cannot arrive twice; "
    "resend it if the applicant did not receive it."
)
CAUSE_TIMEOUT = Term(N_("the gateway did not answer in time"))
CAUSE_STOPPED = Term(N_("the sending process stopped during the hand-over"))


def unconfirmed(hours: float, timed_out: bool) -> Unconfirmed:
    return Unconfirmed(UNCONFIRMED_MESSAGE, hours=f"{hours:g}", cause=CAUSE_TIMEOUT if timed_out else CAUSE_STOPPED)


def invalid_number(number: str) -> InvalidNumber:
    return InvalidNumber(
        N_("%(number)s is not a valid mobile number in international form; the message is not sent. Correct "
           "the applicant's mobile number and resend it."),
        number=number,
    )


def undelivered(report_type: int, reply: str) -> Undelivered:
    if report_type == 16:
        return Undelivered(N_("The SMS centre rejected the message: %(reply)s"), reply=reply or "—")
    return Undelivered(N_("The message could not be delivered to the phone: %(reply)s"), reply=reply or "—")


def gave_up(attempts: int, stored: str | None) -> GaveUp:
    return GaveUp(
        N_("The gateway did not accept the message in %(attempts)d attempts; the last error was: %(error)s"),
        attempts=attempts, error=reason_text(stored),
    )


def is_unconfirmed(stored: str | None) -> bool:
    return _template_of(stored) == UNCONFIRMED_MESSAGE


def _template_of(stored: str | None) -> str | None:
    if not stored:
        return None
    try:
        return json.loads(stored).get("message")
    except (ValueError, AttributeError):
        return None


def reason_text(stored: str | None, translate=None) -> str:
    """Return a stored reason in the reader's language; text stored before reasons were JSON stays as is."""
    if not stored:
        return ""
    if _template_of(stored) is None:
        return stored
    return render_stored(stored, stored, translate)
