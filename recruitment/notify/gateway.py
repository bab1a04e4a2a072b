"""SMS gateways: the interface every provider implements, the errors it raises, and the choice by setting.

DIWAN_SMS_GATEWAY_URL picks the gateway. Empty (or `outbox:`) keeps every message queued in the
outbox, where the recruitment office reads it; `kannel+http://…` hands messages to Kannel's
sendsms interface (recruitment.notify.kannel). recruitment.notify.delivery offers queued messages
to the gateway and records what it reports.

The errors say what the dispatcher may do next, because only the gateway knows whether a failed
request can have reached it: GatewayUnavailable (nothing reached it, try later),
GatewayMisconfigured (nothing reached it, and no message will until an operator fixes the
settings), MessageRejected (this message never will be accepted) and OutcomeUnknown (the request
may have been accepted, so sending it again could deliver it twice).
"""

import logging
from dataclasses import dataclass
from typing import Protocol

from archive_api.errors import N_, DiwanError
from archive_api.settings import Settings
from recruitment.notify.models import SmsMessage

logger = logging.getLogger(__name__)

OUTBOX_SCHEME = "outbox:"


class GatewayError(DiwanError):
    """A message the gateway did not take. The message template is shown to staff with the message."""

    http_status = 502
    code = "sms_gateway_error"


class GatewayUnavailable(GatewayError):
    """The gateway could not be reached or responded with a temporary error; the message did not reach it."""

    code = "sms_gateway_unavailable"


class GatewayMisconfigured(GatewayError):
    """The gateway rejected Diwan's own request (credentials, sender, coding); every message would fail."""

    code = "sms_gateway_misconfigured"


class MessageRejected(GatewayError):
    """The gateway will never accept this message (such as an invalid number); it is not retried."""

    code = "sms_message_rejected"


class OutcomeUnknown(GatewayError):
    """The request left Diwan but no response came back, so the gateway may have accepted the message."""

    code = "sms_outcome_unknown"


class InvalidGatewaySetting(DiwanError):
    """DIWAN_SMS_GATEWAY_URL or DIWAN_SMS_REPORT_URL cannot be used; the message shows them without secrets."""

    http_status = 500
    code = "invalid_sms_gateway_setting"


@dataclass(frozen=True)
class Accepted:
    """The gateway took the message. `reference` is the provider's id, when it returns one at once."""

    reference: str | None = None


class SmsGateway(Protocol):
    #: False for a gateway that keeps messages in the outbox, so no dispatcher needs to run.
    delivers: bool

    def send(self, message: SmsMessage, report_url: str | None) -> Accepted:
        """Hand one message to the provider, asking it to report delivery to `report_url` when given.

        Raise one of the GatewayError subclasses above when the provider does not accept it.
        """

    def describe(self) -> str:
        """Return the gateway's address for logs and pages, without credentials."""

    def close(self) -> None:
        """Release connections."""


class OutboxOnlyGateway:
    """The default gateway: keeps every message queued in the outbox, where staff can read it."""

    delivers = False

    def send(self, message: SmsMessage, report_url: str | None) -> Accepted:
        raise GatewayMisconfigured(
            N_("No SMS gateway is configured; set DIWAN_SMS_GATEWAY_URL to send messages.")
        )

    def describe(self) -> str:
        return OUTBOX_SCHEME

    def close(self) -> None:
        pass


def open_gateway(url: str) -> SmsGateway:
    """Return the gateway named by a DIWAN_SMS_GATEWAY_URL value; raises InvalidGatewaySetting."""
    # Imported here because the Kannel module builds on the errors above.
    from recruitment.notify import kannel

    url = url.strip()
    if not url or url == OUTBOX_SCHEME:
        return OutboxOnlyGateway()
    if url.startswith(kannel.KANNEL_SCHEMES):
        return kannel.KannelGateway(kannel.parse_kannel_url(url))

    raise InvalidGatewaySetting(
        N_("DIWAN_SMS_GATEWAY_URL is %(url)s, which names no known gateway; leave it empty to keep messages "
           "in the outbox, or use kannel+http://USER:PASSWORD@HOST:PORT/cgi-bin/sendsms?from=SENDER."),
        url=kannel.mask_url(url),
    )


def gateway_configured(settings: Settings) -> bool:
    """Return True when DIWAN_SMS_GATEWAY_URL names a gateway that delivers, without opening it."""
    return settings.sms_gateway_url.strip() not in ("", OUTBOX_SCHEME)


def default_gateway(settings: Settings) -> SmsGateway:
    """Return the gateway that the settings name."""
    return open_gateway(settings.sms_gateway_url)
