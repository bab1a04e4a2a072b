"""Helpers for web tests: a browser-like client and messages as the Arabic page shows them."""

import re

from fastapi.testclient import TestClient
from markupsafe import escape

from archive_api.i18n import gettext_for

# The password that the People fixture of tests/conftest.py gives every user.
PASSWORD = "correct horse battery"
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


class WebClient:
    """A TestClient that signs in through the login form and sends the CSRF token with forms."""

    def __init__(self, client: TestClient) -> None:
        self.http = client
        self.csrf = ""

    def page_token(self, path: str = "/login") -> str:
        response = self.http.get(path)
        return _CSRF_META.search(response.text).group(1)

    def login(self, username: str, password: str = PASSWORD):
        token = self.page_token("/login")
        response = self.http.post(
            "/login", data={"username": username, "password": password, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text[:2000]
        self.csrf = self.page_token("/search")
        return response

    def get(self, path: str, **kwargs):
        return self.http.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs):
        """POST a form with the session's CSRF token added, without following redirects."""
        kwargs.setdefault("follow_redirects", False)
        return self.http.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)


def arabic(msgid: str, **params) -> str:
    """Return a message as the Arabic page shows it: translated, filled in and HTML-escaped.

    Fails when the catalogue has no Arabic translation, so tests never pass on English text.
    """
    translated = gettext_for("ar")(msgid)
    assert translated != msgid, f"no Arabic translation for {msgid!r}"
    return str(escape(translated % params if params else translated))


def translated(msgid: str) -> str:
    """Return the raw Arabic translation, for a message parameter that the page translates."""
    return gettext_for("ar")(msgid)


def english(msgid: str, **params) -> str:
    return str(escape(msgid % params if params else msgid))
