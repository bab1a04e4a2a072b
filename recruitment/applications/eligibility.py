"""Whether a profile meets an announcement's requirements, with a reason for each requirement.

The checks read the profile snapshot (recruitment.applicants.snapshot.profile_snapshot), so an
application is judged on exactly the data it freezes:

- degree: the highest degree level in the education section, in DEGREE_LEVELS order, must be
  the required level or a higher one;
- major: when the announcement lists majors, one education entry at the required level or
  higher must have one of them. Both sides go through search.analysis.analyze, which applies
  search.arabic.normalize (hamza forms, taa marbuta, diacritics) and then the search stemmer,
  so "المحاسبة" matches "محاسبة" and "إدارة الأعمال" matches "ادارة اعمال";
- experience: the whole years of the snapshot's total must reach the minimum;
- documents: each required kind needs a current version of a document of that kind;
- mobile: the mobile number must be confirmed, because the confirmation SMS goes to it.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from archive_api.errors import N_, Term, render_message
from recruitment.announcements.labels import DEGREE_NAMES, DOCUMENT_KIND_NAMES
from recruitment.announcements.models import DEGREE_LEVELS, Announcement
from recruitment.announcements.service import majors_of, required_documents_of
from recruitment.applicants.documents import current_versions
from recruitment.applicants.models import Applicant, ApplicantDocumentVersion
from recruitment.applicants.snapshot import profile_snapshot
from search.analysis import analyze

logger = logging.getLogger(__name__)

# Majors are listed in messages with a separator that reads the same in Arabic and English.
MAJOR_SEPARATOR = " / "


@dataclass(frozen=True)
class RequirementCheck:
    """One requirement and whether the profile meets it; `message` is a msgid filled with `params`."""

    name: str  # degree, major, experience, document or mobile
    met: bool
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate=None) -> str:
        return render_message(self.message, dict(self.params), translate)


@dataclass(frozen=True)
class Eligibility:
    checks: list[RequirementCheck]

    @property
    def ok(self) -> bool:
        return all(check.met for check in self.checks)

    @property
    def unmet(self) -> list[RequirementCheck]:
        return [check for check in self.checks if not check.met]


def highest_degree(education: list[Mapping[str, Any]]) -> str | None:
    """Return the highest degree level among snapshot education entries, or None without any."""
    levels = [entry["degree_level"] for entry in education if entry.get("degree_level") in DEGREE_LEVELS]
    if not levels:
        return None
    return max(levels, key=DEGREE_LEVELS.index)


def major_key(major: str) -> tuple[str, ...]:
    """Return the analysed words of a major, the form in which two spellings are compared."""
    return tuple(analyze(major))


def check_profile(
    announcement: Announcement,
    snapshot: Mapping[str, Any],
    versions: list[ApplicantDocumentVersion],
    mobile_confirmed: bool,
) -> Eligibility:
    """Check a profile snapshot and the current document versions against the announcement."""
    checks = [
        *_degree_checks(announcement, snapshot["education"]),
        *_major_checks(announcement, snapshot["education"]),
        *_experience_checks(announcement, snapshot["experience_months"]),
        *_document_checks(announcement, versions),
        _mobile_check(mobile_confirmed),
    ]
    return Eligibility(checks)


def eligibility_of(
    session: Session, applicant: Applicant, announcement: Announcement, today=None
) -> tuple[Eligibility, dict[str, Any], list[ApplicantDocumentVersion]]:
    """Return the eligibility with the snapshot and the document versions it was judged on."""
    snapshot = profile_snapshot(session, applicant, today)
    versions = current_versions(session, applicant)
    eligibility = check_profile(announcement, snapshot, versions, applicant.mobile_confirmed_at is not None)
    return eligibility, snapshot, versions


def _degree_checks(announcement: Announcement, education: list[Mapping[str, Any]]) -> list[RequirementCheck]:
    required = announcement.degree_level
    if required not in DEGREE_LEVELS:
        return []
    highest = highest_degree(education)
    if highest is None:
        return [RequirementCheck("degree", False, N_(
            "Required degree: %(required)s or higher, but your profile lists no degree; add your degrees in the "
            "education section of your profile."), {"required": Term(DEGREE_NAMES[required])})]

    params = {"required": Term(DEGREE_NAMES[required]), "highest": Term(DEGREE_NAMES[highest])}
    if DEGREE_LEVELS.index(highest) < DEGREE_LEVELS.index(required):
        return [RequirementCheck("degree", False, N_(
            "Required degree: %(required)s or higher, but the highest degree in your profile is: %(highest)s."),
            params)]
    return [RequirementCheck("degree", True, N_(
        "Required degree: %(required)s or higher, and your profile has: %(highest)s."), params)]


def _qualifying_majors(announcement: Announcement, education: list[Mapping[str, Any]]) -> list[str]:
    """Return the majors of the entries at the required degree level or higher (all entries without one)."""
    required = announcement.degree_level
    floor = DEGREE_LEVELS.index(required) if required in DEGREE_LEVELS else 0
    return [
        entry["major"] for entry in education
        if entry.get("degree_level") in DEGREE_LEVELS and DEGREE_LEVELS.index(entry["degree_level"]) >= floor
    ]


def _major_checks(announcement: Announcement, education: list[Mapping[str, Any]]) -> list[RequirementCheck]:
    accepted = majors_of(announcement)
    if not accepted:
        return []
    accepted_keys = {major_key(major) for major in accepted} - {()}
    listed = MAJOR_SEPARATOR.join(accepted)
    yours = _qualifying_majors(announcement, education)

    matching = [major for major in yours if major_key(major) in accepted_keys]
    if matching:
        return [RequirementCheck("major", True, N_("Major: %(major)s is one of the accepted majors."),
                                 {"major": matching[0]})]
    if not yours:
        return [RequirementCheck("major", False, N_(
            "This job accepts only these majors: %(majors)s. Your profile lists no major at the required degree "
            "level; add it in the education section of your profile."), {"majors": listed})]
    return [RequirementCheck("major", False, N_(
        "This job accepts only these majors: %(majors)s. The majors in your profile at the required degree "
        "level are not among them: %(yours)s."), {"majors": listed, "yours": MAJOR_SEPARATOR.join(yours)})]


def _experience_checks(announcement: Announcement, months: int) -> list[RequirementCheck]:
    required = announcement.min_experience_years or 0
    if required <= 0:
        return []
    params = {"required": required, "years": months // 12, "months": months % 12}
    if months // 12 < required:
        return [RequirementCheck("experience", False, N_(
            "This job requires %(required)d years of experience, and your profile adds up to %(years)d years and "
            "%(months)d months; add any missing jobs in the work experience section of your profile."), params)]
    return [RequirementCheck("experience", True, N_(
        "Experience: %(required)d years are required, and your profile adds up to %(years)d years and "
        "%(months)d months."), params)]


def _document_checks(announcement: Announcement, versions: list[ApplicantDocumentVersion]) -> list[RequirementCheck]:
    uploaded = {}
    for version in versions:
        uploaded.setdefault(version.applicant_document.kind, version.applicant_document.title)

    checks = []
    for kind in required_documents_of(announcement):
        name = Term(DOCUMENT_KIND_NAMES.get(kind, kind))
        if kind in uploaded:
            checks.append(RequirementCheck("document", True, N_("%(kind)s: uploaded as “%(title)s”."),
                                           {"kind": name, "title": uploaded[kind]}))
        else:
            checks.append(RequirementCheck("document", False, N_(
                "This job requires a document of the kind “%(kind)s”, and you have not uploaded one; upload it on "
                "the My documents page."), {"kind": name}))
    return checks


def _mobile_check(confirmed: bool) -> RequirementCheck:
    if confirmed:
        return RequirementCheck("mobile", True, N_("Mobile number: confirmed; the SMS with your application number "
                                                   "goes to it."))
    return RequirementCheck("mobile", False, N_(
        "Your mobile number is not confirmed; confirm it with the code sent to it, because the SMS with your "
        "application number goes to it."))
