"""Parts that the screening pages share: paths, the staff dependency, number parsing and reason choices."""

import logging

from recruitment.screening.models import RejectionReason
from web.recruitment.staff_applications import RecruitmentStaff

logger = logging.getLogger(__name__)

BASE_PATH = "/recruitment/screening"

__all__ = ["BASE_PATH", "RecruitmentStaff", "announcement_path", "reason_choices", "whole_number"]


def announcement_path(announcement_id: int, tail: str = "") -> str:
    return f"{BASE_PATH}/{announcement_id}{tail}"


def whole_number(value: str) -> int | None:
    """Return a positive whole number typed in a form, or None when the text is not one."""
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 2**31 else None


def reason_choices(reasons: list[RejectionReason], language: str, empty_label: str) -> list[tuple[str, str]]:
    """Return the options of a reason select: an empty first option, then each reason in the page's language."""
    return [("", empty_label)] + [(str(reason.id), reason.label(language)) for reason in reasons]
