"""The council's catalogue of rejection reasons: listed, added, retired and restored by editors.

A retired reason is no longer offered for new decisions, but decisions that already use it keep
it, so its labels are never changed or deleted. The default reasons are inserted by the
migration that creates the table.
"""

import logging
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_api.accounts.models import User
from archive_api.audit.service import record
from archive_api.errors import N_
from archive_api.timeutil import utcnow
from recruitment.screening.access import require_screening_editor
from recruitment.screening.errors import InvalidReason
from recruitment.screening.models import RejectionReason

logger = logging.getLogger(__name__)

# The label goes into the rejection SMS, so it is kept short enough to leave room for the notes.
MAX_LABEL_LENGTH = 120
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")


def list_reasons(session: Session, include_retired: bool = False) -> list[RejectionReason]:
    """Return the reasons in the order they were added, active ones only unless asked."""
    query = select(RejectionReason).order_by(RejectionReason.id)
    if not include_retired:
        query = query.where(RejectionReason.retired_at.is_(None))
    return list(session.scalars(query))


def get_reason(session: Session, reason_id: int) -> RejectionReason:
    reason = session.get(RejectionReason, reason_id)
    if reason is None:
        raise InvalidReason(N_("Rejection reason %(reason)s does not exist; choose one from the list."),
                            reason=reason_id)
    return reason


def check_labels(session: Session, label_ar: str, label_en: str) -> dict[str, InvalidReason]:
    """Return an error per label that cannot be saved, by form field name."""
    errors = {}
    for field, label in (("label_ar", label_ar), ("label_en", label_en)):
        if not label:
            errors[field] = InvalidReason(N_("Write the reason's label in this language."))
        elif len(label) > MAX_LABEL_LENGTH:
            errors[field] = InvalidReason(N_("The label has %(length)d characters; use at most %(maximum)d."),
                                          length=len(label), maximum=MAX_LABEL_LENGTH)
    if "label_ar" not in errors and not _ARABIC_LETTER.search(label_ar):
        errors["label_ar"] = InvalidReason(N_("The Arabic label %(label)r has no Arabic letters; write it in Arabic."),
                                           label=label_ar)
    if errors:
        return errors

    for reason in list_reasons(session):
        if reason.label_ar == label_ar or reason.label_en.casefold() == label_en.casefold():
            errors["label_ar"] = InvalidReason(
                N_("The reason %(label)r is already in the list; use it instead of adding it again."),
                label=reason.label_ar)
    return errors


def add_reason(session: Session, user: User, label_ar: str, label_en: str) -> RejectionReason:
    """Add an active reason; raises InvalidReason naming the first label that cannot be saved."""
    require_screening_editor(user)
    label_ar, label_en = " ".join(label_ar.split()), " ".join(label_en.split())
    errors = check_labels(session, label_ar, label_en)
    if errors:
        raise next(iter(errors.values()))

    reason = RejectionReason(label_ar=label_ar, label_en=label_en, created_by=user.username)
    session.add(reason)
    session.flush()
    record(session, user, "rejection_reason_add", "rejection_reason", reason.id,
           {"label_ar": label_ar, "label_en": label_en})
    logger.info("rejection reason added id=%s user=%s", reason.id, user.id)
    return reason


def retire_reason(session: Session, user: User, reason_id: int) -> RejectionReason:
    """Stop offering a reason for new decisions; retiring a retired reason changes nothing."""
    require_screening_editor(user)
    reason = get_reason(session, reason_id)
    if reason.retired_at is not None:
        return reason

    reason.retired_at = utcnow()
    record(session, user, "rejection_reason_retire", "rejection_reason", reason.id, {"label_ar": reason.label_ar})
    session.flush()
    logger.info("rejection reason retired id=%s user=%s", reason.id, user.id)
    return reason


def restore_reason(session: Session, user: User, reason_id: int) -> RejectionReason:
    """Offer a retired reason again; restoring an active reason changes nothing."""
    require_screening_editor(user)
    reason = get_reason(session, reason_id)
    if reason.retired_at is None:
        return reason

    duplicates = check_labels(session, reason.label_ar, reason.label_en)
    if duplicates:
        raise next(iter(duplicates.values()))
    reason.retired_at = None
    record(session, user, "rejection_reason_restore", "rejection_reason", reason.id, {"label_ar": reason.label_ar})
    session.flush()
    logger.info("rejection reason restored id=%s user=%s", reason.id, user.id)
    return reason
