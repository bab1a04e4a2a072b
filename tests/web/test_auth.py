"""Signing in and out, redirects for visitors, CSRF on forms, throttling, the language switch."""

import pytest

from archive_api.accounts.service import get_user
from archive_api.api.deps import SESSION_COOKIE
from tests.web.pages import PASSWORD, arabic, english
from web.throttle import MAX_FAILURES, login_throttle

PROTECTED_PAGES = [
    "/search", "/search?q=x", "/upload", "/status", "/status/documents", "/batches/1", "/documents/1",
    "/admin/users", "/admin/departments", "/admin/grants", "/admin/audit",
]


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The throttle lives in process memory; each test starts without recorded failures."""
    login_throttle._failures.clear()
    yield
    login_throttle._failures.clear()


def _login_form(client, username: str, password: str, next_path: str = ""):
    token = client.page_token("/login")
    return client.http.post(
        "/login", data={"username": username, "password": password, "csrf_token": token, "next": next_path},
        follow_redirects=False,
    )


def test_login_page_arabic_rtl(client, hr):
    response = client.get("/login")

    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in response.text
    assert arabic("Sign in to Diwan") in response.text


@pytest.mark.parametrize("path", PROTECTED_PAGES)
def test_visitor_redirected_to_login(client, hr, path):
    response = client.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_visitor_htmx_request_gets_hx_redirect(client, hr):
    response = client.get("/status/documents", headers={"HX-Request": "true",
                                                        "HX-Current-URL": "http://testserver/status"})

    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/status"


def test_login_success_redirects_to_next(client, hr):
    response = _login_form(client, "hr.clerk", PASSWORD, "/status")

    assert response.status_code == 303
    assert response.headers["location"] == "/status"
    assert SESSION_COOKIE in response.cookies


def test_login_ignores_foreign_next(client, hr):
    response = _login_form(client, "hr.clerk", PASSWORD, "//elsewhere.example/steal")

    assert response.headers["location"] == "/search"


def test_login_wrong_password_keeps_username(client, hr):
    response = _login_form(client, "hr.clerk", "not the password")

    assert response.status_code == 401
    assert arabic("Wrong username or password.") in response.text
    assert 'value="hr.clerk"' in response.text
    assert SESSION_COOKIE not in response.cookies


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [("", PASSWORD, "Enter your username."), ("hr.clerk", "", "Enter your password.")],
)
def test_login_missing_field(client, hr, username, password, message):
    response = _login_form(client, username, password)

    assert response.status_code == 422
    assert arabic(message) in response.text


def test_login_without_csrf_rejected(client, hr):
    client.get("/login")
    response = client.http.post("/login", data={"username": "hr.clerk", "password": PASSWORD},
                                follow_redirects=False)

    assert response.status_code == 403
    assert arabic("The form has expired or did not come from Diwan; reload the page and try again.") in response.text


def test_login_throttled_after_failures(client, hr):
    for _ in range(MAX_FAILURES):
        _login_form(client, "hr.clerk", "wrong guess")

    response = _login_form(client, "hr.clerk", PASSWORD)

    assert response.status_code == 429
    assert SESSION_COOKIE not in response.cookies
    assert arabic(
        "Too many failed sign-ins for %(username)s; wait %(minutes)d minutes and try again, "
        "or ask an administrator to check the account.", username="hr.clerk", minutes=15,
    ) in response.text


def test_logout_needs_csrf(client, hr):
    client.login("hr.clerk")

    rejected = client.http.post("/logout", follow_redirects=False)

    assert rejected.status_code == 403
    assert client.get("/search", follow_redirects=False).status_code == 200


def test_logout_ends_session(client, hr):
    client.login("hr.clerk")

    response = client.post("/logout")

    assert response.headers["location"] == "/login"
    assert client.get("/search", follow_redirects=False).status_code == 303


def test_login_page_when_signed_in_redirects(client, hr):
    client.login("hr.clerk")

    response = client.get("/login?next=/status", follow_redirects=False)

    assert response.headers["location"] == "/status"


def test_language_switch_to_english(client, hr, archive):
    client.login("hr.clerk")

    response = client.post("/language", {"lang": "en", "next": "/status"})
    page = client.get("/status")

    assert response.headers["location"] == "/status"
    assert '<html lang="en" dir="ltr">' in page.text
    assert english("Ingestion status") in page.text
    with archive.db.session(write=False) as session:
        assert get_user(session, "hr.clerk").language == "en"


def test_language_follows_user_to_new_browser(new_client, hr):
    first = new_client()
    first.login("hr.clerk")
    first.post("/language", {"lang": "en", "next": "/search"})

    second = new_client()
    second.login("hr.clerk")

    assert '<html lang="en" dir="ltr">' in second.get("/search").text


def test_language_switch_for_visitor(client, hr):
    token = client.page_token("/login")

    client.http.post("/language", data={"lang": "en", "next": "/login", "csrf_token": token})

    assert '<html lang="en" dir="ltr">' in client.get("/login").text


def test_language_switch_visitor_without_csrf(client, hr):
    client.get("/login")

    response = client.http.post("/language", data={"lang": "en"}, follow_redirects=False)

    assert response.status_code == 403


def test_language_switch_unknown_language(client, hr):
    client.login("hr.clerk")

    response = client.post("/language", {"lang": "fr", "next": "/search"})

    assert response.status_code == 400
    assert arabic("Language %(value)r is not offered; choose ar (Arabic) or en (English).", value="fr") in response.text


def test_unknown_page_is_translated_404(client, hr):
    client.login("hr.clerk")

    response = client.get("/no-such-page")

    assert response.status_code == 404
    message = arabic("There is no page at %(path)s; check the address or use the menu.", path="/no-such-page")
    assert message in response.text


def test_pages_send_security_headers(client, hr):
    response = client.get("/login")

    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
