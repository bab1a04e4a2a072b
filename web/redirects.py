"""Redirects after a form: only ever to a path on this site."""

from urllib.parse import urlsplit

from fastapi.responses import RedirectResponse


def local_path(value: str | None, default: str = "/") -> str:
    """Return `value` when it is a path on this site, else `default`, so no form can send users away."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def see_other(location: str) -> RedirectResponse:
    """Redirect after a POST so that reloading the next page does not send the form again."""
    return RedirectResponse(location, status_code=303)
