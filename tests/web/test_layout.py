"""The page layout (CSRF token for HTMX, vendored htmx, static files, user menu) and the login throttle."""

import json
import re

import pytest

from web.rendering import STATIC_DIR
from web.throttle import LoginThrottle, TooManyFailures


def test_layout_sends_csrf_with_htmx(client, hr):
    client.login("hr.clerk")

    page = client.get("/status").text

    meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)
    headers = re.search(r"<body hx-headers='([^']+)'>", page).group(1)
    assert json.loads(headers.replace("&#34;", '"')) == {"X-CSRF-Token": meta}
    assert meta == client.csrf


def test_layout_loads_local_htmx(client, hr):
    page = client.get("/login").text

    assert re.search(r'<script src="/static/vendor/htmx.min.js\?v=\w+" defer>', page)
    assert "https://" not in page
    assert (STATIC_DIR / "vendor" / "htmx.LICENSE").is_file()


def test_static_files_served(client):
    assert client.get("/static/vendor/htmx.min.js").status_code == 200
    assert client.get("/static/css/diwan.css").status_code == 200
    assert client.get("/static/js/upload.js").status_code == 200


def test_layout_user_menu_logout(client, hr):
    client.login("hr.clerk")

    page = client.get("/search").text

    assert 'action="/logout"' in page
    assert "hr.clerk" in page


def test_throttle_counts_per_client():
    throttle = LoginThrottle(max_failures=2, lockout_s=900)
    throttle.failed("Someone", "client-a")
    throttle.failed("someone", "client-a")

    throttle.check("someone", "client-b")
    with pytest.raises(TooManyFailures) as raised:
        throttle.check("SOMEONE", "client-a")

    assert raised.value.params["username"] == "SOMEONE"


def test_throttle_forgets_after_lockout():
    throttle = LoginThrottle(max_failures=1, lockout_s=0)
    throttle.failed("someone", "client")

    throttle.check("someone", "client")


def test_throttle_reset_on_success():
    throttle = LoginThrottle(max_failures=1, lockout_s=900)
    throttle.failed("someone", "client")

    throttle.succeeded("someone", "client")

    throttle.check("someone", "client")
