"""The applicant's space: account pages, profile, documents and messages, mounted together."""

import logging

from fastapi import FastAPI

from web.recruitment import (
    applicants_auth,
    applicants_messages,
    applicants_reset,
    profile,
    profile_documents,
    profile_sections,
)
from web.recruitment.applicants_deps import ApplicantSignInRequired, applicant_redirect

logger = logging.getLogger(__name__)

ROUTERS = (
    applicants_auth.router,
    applicants_reset.router,
    profile.router,
    profile_documents.router,
    applicants_messages.router,
    # Last, because its /applicant/profile/{section_name} pattern would also match other paths.
    profile_sections.router,
)


def install_applicant_pages(app: FastAPI) -> None:
    """Add the applicant routers, and the redirect for visitors who are not signed in or confirmed."""
    for router in ROUTERS:
        app.include_router(router)
    app.add_exception_handler(ApplicantSignInRequired, applicant_redirect)
