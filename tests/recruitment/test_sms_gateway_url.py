"""DIWAN_SMS_GATEWAY_URL: the Kannel form, its checks, masked secrets, and the sendsms query it produces."""

from urllib.parse import unquote

import pytest

from recruitment.notify.gateway import InvalidGatewaySetting, OutboxOnlyGateway, open_gateway
from recruitment.notify.kannel import KannelGateway, mask_url, parse_kannel_url, sendsms_query
from recruitment.notify.models import SmsMessage

URL = "kannel+http://diwan:s3cr%2Bt%2Fx@127.0.0.1:13013/cgi-bin/sendsms?from=GPC"


def _query(text: str, to: str = "+970599123456", report_url: str | None = None) -> dict[str, str]:
    message = SmsMessage(to_number=to, body=text)
    query = sendsms_query(parse_kannel_url(URL), message, report_url)
    return {name: value for name, _equals, value in (pair.partition("=") for pair in query.split("&"))}


def test_parse_kannel_url():
    settings = parse_kannel_url(URL)

    assert settings.endpoint == "http://127.0.0.1:13013/cgi-bin/sendsms"
    assert settings.username == "diwan"
    assert settings.password == "s3cr+t/x"
    assert settings.sender == "GPC"
    assert settings.dlr_mask == 31
    assert settings.timeout_s == 10


def test_parse_options():
    settings = parse_kannel_url("kannel+https://u:p@sms.example.ps:4443/send?from=%2B970599000000&smsc=jawwal"
                                "&dlr_mask=9&timeout=3.5")

    assert settings.endpoint == "https://sms.example.ps:4443/send"
    assert settings.sender == "+970599000000"
    assert settings.smsc == "jawwal"
    assert settings.dlr_mask == 9
    assert settings.timeout_s == 3.5


def test_default_path():
    assert parse_kannel_url("kannel+http://u:p@127.0.0.1:13013?from=GPC").endpoint.endswith("/cgi-bin/sendsms")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("kannel+http://127.0.0.1:13013/cgi-bin/sendsms?from=GPC", "no user name and password"),
        ("kannel+http://diwan@127.0.0.1:13013/cgi-bin/sendsms?from=GPC", "no user name and password"),
        ("kannel+http://u:p@/cgi-bin/sendsms?from=GPC", "has no host"),
        ("kannel+http://u:p@127.0.0.1:13013/cgi-bin/sendsms", "needs from=SENDER"),
        ("kannel+http://u:p@127.0.0.1:13013/cgi-bin/sendsms?from=TwelveLetter", "needs from=SENDER"),
        ("kannel+http://u:p@127.0.0.1:13013/cgi-bin/sendsms?from=ديوان", "needs from=SENDER"),
        ("kannel+http://u:p@127.0.0.1:13013/cgi-bin/sendsms?from=GPC&form=x", "unknown option form"),
        ("kannel+http://u:p@127.0.0.1:13013/cgi-bin/sendsms?from=GPC&timeout=0", "sets timeout to 0"),
        ("kannel+http://u:p@127.0.0.1:13013/cgi-bin/sendsms?from=GPC&timeout=500", "at most 120"),
        ("kannel+http://u:p@127.0.0.1:13013/cgi-bin/sendsms?from=GPC&dlr_mask=64", "sets dlr_mask to 64"),
        ("kannel+http://u:p@127.0.0.1:13013/cgi-bin/sendsms?from=GPC&timeout=soon", "sets timeout to soon"),
        ("smpp://u:p@127.0.0.1:2775", "names no known gateway"),
    ],
)
def test_bad_url_rejected(url, words):
    with pytest.raises(InvalidGatewaySetting) as raised:
        open_gateway(url)

    assert words in str(raised.value)


def test_error_hides_password():
    with pytest.raises(InvalidGatewaySetting) as raised:
        open_gateway("kannel+http://diwan:TopSecret@127.0.0.1:13013/cgi-bin/sendsms")

    assert "TopSecret" not in str(raised.value)
    assert "diwan:****@127.0.0.1" in str(raised.value)


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (URL, "kannel+http://diwan:****@127.0.0.1:13013/cgi-bin/sendsms?from=GPC"),
        ("http://h:1/cgi-bin/sendsms?username=u&password=p%40ss&to=1", "http://h:1/cgi-bin/sendsms?username=u&password=****&to=1"),
        ("smpp://user:pa:ss@host", "smpp://user:****@host"),
    ],
)
def test_mask_url(url, masked):
    assert mask_url(url) == masked


@pytest.mark.parametrize("url", ["", "  ", "outbox:"])
def test_outbox_by_default(url):
    assert isinstance(open_gateway(url), OutboxOnlyGateway)


def test_kannel_gateway_chosen():
    gateway = open_gateway(URL)

    assert isinstance(gateway, KannelGateway)
    assert "s3cr" not in gateway.describe()
    gateway.close()


def test_query_arabic_is_ucs2():
    query = _query("رمز التأكيد 493817")

    assert query["coding"] == "2"
    assert query["charset"] == "UTF-8"
    assert unquote(query["text"]) == "رمز التأكيد 493817"


def test_query_latin_is_gsm7():
    assert _query("Your code is 493817")["coding"] == "0"


def test_query_plus_encoded():
    query = _query("C++ & 100% = ok", to="+970599123456")

    assert query["to"] == "%2B970599123456"
    assert "+" not in query["text"]
    assert unquote(query["text"]) == "C++ & 100% = ok"


def test_query_sender_and_credentials():
    query = _query("x")

    assert query["from"] == "GPC"
    assert query["username"] == "diwan"
    assert unquote(query["password"]) == "s3cr+t/x"


def test_query_report_url():
    query = _query("x", report_url="http://10.0.0.5:8000/sms/dlr?id=7&token=abc")

    assert query["dlr-mask"] == "31"
    assert unquote(query["dlr-url"]) == "http://10.0.0.5:8000/sms/dlr?id=7&token=abc&type=%d&reply=%A&at=%T"


def test_query_without_report_url():
    assert "dlr-url" not in _query("x")
