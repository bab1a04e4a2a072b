"""Kannel's HTTP sendsms interface (smsbox), checked against Kannel 1.4.5 from Debian 12.

DIWAN_SMS_GATEWAY_URL names it as

    kannel+http://USERNAME:PASSWORD@HOST:PORT/cgi-bin/sendsms?from=SENDER[&smsc=ID][&dlr_mask=31][&timeout=10]

(kannel+https:// for smsbox's sendsms-port-ssl). USERNAME and PASSWORD are a `sendsms-user` of
smsbox, percent-encoded where they contain @, :, / or %. Each message is one GET request whose
query carries the text in UTF-8 with charset=UTF-8, coding=2 (UCS-2) for texts outside the GSM
alphabet and coding=0 (GSM 7-bit) otherwise, so Kannel splits it into the same parts as
recruitment.notify.parts counts. The number is E.164 with its + percent-encoded, because a raw +
in a query is read as a space. dlr-mask and a dlr-url back to Diwan ask for delivery reports.

smsbox responds with 202 once bearerbox has queued the message. It responds with 4xx to a request it will
never accept (an invalid number, or wrong credentials, sender or coding) and 503 while bearerbox
cannot take more; a closed port means smsbox is down.
"""

import logging
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

import httpx

from archive_api.errors import N_
from recruitment.notify.gateway import (
    Accepted,
    GatewayMisconfigured,
    GatewayUnavailable,
    InvalidGatewaySetting,
    MessageRejected,
    OutcomeUnknown,
)
from recruitment.notify.models import SmsMessage
from recruitment.notify.parts import UCS2, encoding_of

logger = logging.getLogger(__name__)

KANNEL_SCHEMES = ("kannel+http://", "kannel+https://")
DEFAULT_PATH = "/cgi-bin/sendsms"
# 1 delivered, 2 undelivered, 4 queued on the SMSC, 8 accepted by the SMSC, 16 rejected by the SMSC.
DEFAULT_DLR_MASK = 31
DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 120.0
CONNECT_TIMEOUT_S = 5.0
# Connections idle longer than this are closed by Diwan before smsbox can close them, so a request
# is never written to a connection that the server already dropped (that would look like a
# request lost in flight).
KEEPALIVE_EXPIRY_S = 2.0
CODING_GSM7 = "0"
CODING_UCS2 = "2"
# An alphanumeric sender has at most 11 characters (3GPP TS 23.040); a numeric one is a phone number.
SENDER = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9 ._-]{0,10}|\+?[0-9]{3,15})$")
OPTIONS = ("from", "smsc", "dlr_mask", "timeout")
# smsbox's responses that concern the receiver rather than the request as a whole.
NUMBER_REJECTIONS = ("number", "receiver")
# Placeholders that Kannel fills in the dlr-url: report type, the SMSC's reply, and its time.
REPORT_PLACEHOLDERS = "&type=%d&reply=%A&at=%T"
MAX_REPLY_LENGTH = 200

_USERINFO_PASSWORD = re.compile(r"(://[^/@:]*:)[^/@]*@")
_QUERY_PASSWORD = re.compile(r"((?:^|[?&])password=)[^&]*")


def mask_url(url: str) -> str:
    """Return the URL with its passwords replaced by ****, for messages and logs."""
    return _QUERY_PASSWORD.sub(r"\1****", _USERINFO_PASSWORD.sub(r"\1****@", url))


@dataclass(frozen=True)
class KannelSettings:
    endpoint: str  # http(s)://host:port/path, without credentials
    username: str
    password: str
    sender: str
    smsc: str
    dlr_mask: int
    timeout_s: float


def _invalid(url: str, problem: str, **params) -> InvalidGatewaySetting:
    return InvalidGatewaySetting(problem, url=mask_url(url), **params)


def _query_options(url: str, query: str) -> dict[str, str]:
    """Split the query without turning + into a space, so a numeric sender keeps its plus sign."""
    options: dict[str, str] = {}
    for pair in filter(None, query.split("&")):
        name, _equals, value = pair.partition("=")
        name = unquote(name)
        if name not in OPTIONS:
            raise _invalid(url, N_("DIWAN_SMS_GATEWAY_URL %(url)s has the unknown option %(option)s; use only "
                                   "%(known)s."), option=name, known=", ".join(OPTIONS))
        options[name] = unquote(value)
    return options


def _number_option(url: str, options: dict[str, str], name: str, default: float, maximum: float) -> float:
    text = options.get(name, "")
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= maximum:
        raise _invalid(url, N_("DIWAN_SMS_GATEWAY_URL %(url)s sets %(option)s to %(value)s; use a number above "
                               "0 and at most %(maximum)s."), option=name, value=text, maximum=maximum)
    return value


def parse_kannel_url(url: str) -> KannelSettings:
    """Read the Kannel form of DIWAN_SMS_GATEWAY_URL; raises InvalidGatewaySetting naming the problem."""
    parts = urlsplit(url.strip())
    if not parts.hostname or parts.fragment:
        raise _invalid(url, N_("DIWAN_SMS_GATEWAY_URL %(url)s has no host; write it as "
                               "kannel+http://USER:PASSWORD@HOST:PORT/cgi-bin/sendsms?from=SENDER."))
    if not parts.username or parts.password is None:
        raise _invalid(url, N_("DIWAN_SMS_GATEWAY_URL %(url)s has no user name and password; put smsbox's "
                               "sendsms-user before the host, as USER:PASSWORD@HOST."))

    options = _query_options(url, parts.query)
    sender = options.get("from", "").strip()
    if not SENDER.match(sender):
        raise _invalid(url, N_("DIWAN_SMS_GATEWAY_URL %(url)s needs from=SENDER: letters and digits, at most 11, "
                               "or a phone number such as %%2B970599000000."))
    dlr_mask = int(_number_option(url, options, "dlr_mask", DEFAULT_DLR_MASK, 31))
    timeout_s = _number_option(url, options, "timeout", DEFAULT_TIMEOUT_S, MAX_TIMEOUT_S)

    scheme = parts.scheme.removeprefix("kannel+")
    port = f":{parts.port}" if parts.port else ""
    endpoint = f"{scheme}://{parts.hostname}{port}{parts.path or DEFAULT_PATH}"
    return KannelSettings(endpoint, unquote(parts.username), unquote(parts.password), sender,
                          options.get("smsc", ""), dlr_mask, timeout_s)


def sendsms_query(settings: KannelSettings, message: SmsMessage, report_url: str | None) -> str:
    """Build the sendsms query for one message; every value is percent-encoded, + included."""
    coding = CODING_UCS2 if encoding_of(message.body) == UCS2 else CODING_GSM7
    values = [
        ("username", settings.username),
        ("password", settings.password),
        ("from", settings.sender),
        ("to", message.to_number),
        ("text", message.body),
        ("charset", "UTF-8"),
        ("coding", coding),
    ]
    if settings.smsc:
        values.append(("smsc", settings.smsc))
    if report_url:
        values += [("dlr-mask", str(settings.dlr_mask)), ("dlr-url", report_url + REPORT_PLACEHOLDERS)]
    return "&".join(f"{name}={quote(value, safe='')}" for name, value in values)


class KannelGateway:
    """Sends each message with one sendsms request; one instance per dispatcher thread."""

    delivers = True

    def __init__(self, settings: KannelSettings) -> None:
        self.settings = settings
        timeout = httpx.Timeout(settings.timeout_s, connect=min(CONNECT_TIMEOUT_S, settings.timeout_s))
        limits = httpx.Limits(max_connections=4, keepalive_expiry=KEEPALIVE_EXPIRY_S)
        self._client = httpx.Client(timeout=timeout, limits=limits)

    def describe(self) -> str:
        return f"kannel {self.settings.endpoint} as {self.settings.username}"

    def close(self) -> None:
        self._client.close()

    def send(self, message: SmsMessage, report_url: str | None) -> Accepted:
        url = f"{self.settings.endpoint}?{sendsms_query(self.settings, message, report_url)}"
        try:
            response = self._client.get(url)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            raise GatewayUnavailable(
                N_("Kannel at %(endpoint)s could not be reached (%(error)s); the message waits and is sent "
                   "when smsbox answers again."),
                endpoint=self.settings.endpoint, error=type(error).__name__,
            ) from None
        except httpx.TransportError as error:
            raise OutcomeUnknown(
                N_("Kannel at %(endpoint)s did not answer in time (%(error)s) after the message was sent, so "
                   "it may have been accepted; it is not sent again, and a delivery report settles it."),
                endpoint=self.settings.endpoint, error=type(error).__name__,
            ) from None
        return self._accepted(response)

    def _accepted(self, response: httpx.Response) -> Accepted:
        answer = response.text.strip()[:MAX_REPLY_LENGTH]
        if response.is_success:
            return Accepted(None)

        params = {"endpoint": self.settings.endpoint, "status": response.status_code, "answer": answer}
        if response.status_code >= 500:
            raise GatewayUnavailable(
                N_("Kannel at %(endpoint)s answered %(status)s %(answer)s; the message waits and is sent later."),
                **params,
            )
        if any(word in answer.lower() for word in NUMBER_REJECTIONS):
            raise MessageRejected(
                N_("Kannel rejected the message: %(status)s %(answer)s. It is not sent again; correct the "
                   "applicant's mobile number and resend it."),
                **params,
            )
        raise GatewayMisconfigured(
            N_("Kannel at %(endpoint)s refused Diwan's request: %(status)s %(answer)s. Check the user, password "
               "and sender in DIWAN_SMS_GATEWAY_URL against smsbox's sendsms-user; messages wait until then."),
            **params,
        )
