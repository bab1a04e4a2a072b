"""One-time codes sent by SMS: six random digits, of which only a keyed hash is stored.

A code expires after CODE_LIFETIME, allows MAX_CODE_ATTEMPTS wrong tries and is used once. A
new code replaces the previous one of the same purpose, and can be asked for only after
RESEND_COOLDOWN and at most MAX_CODES_PER_DAY times a day, which bounds the SMS that one
account can cause.

The hash is an HMAC under the server's secret key: a plain SHA-256 of six digits would be
reversed by trying all million codes.
"""

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from archive_api.errors import N_, DiwanError
from archive_api.settings import get_settings
from archive_api.timeutil import utcnow
from recruitment.applicants.errors import CodeRejected, InvalidApplicantData, TooManyRequests
from recruitment.applicants.models import Applicant, OneTimeCode
from recruitment.applicants.national_id import to_ascii_digits

logger = logging.getLogger(__name__)

PURPOSE_CONFIRM_MOBILE = "confirm_mobile"
PURPOSE_RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose name, not a password
PURPOSES = (PURPOSE_CONFIRM_MOBILE, PURPOSE_RESET_PASSWORD)

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_CODE_ATTEMPTS = 5
RESEND_COOLDOWN = timedelta(seconds=60)
MAX_CODES_PER_DAY = 10


@dataclass(frozen=True)
class IssuedCode:
    """A new code: the row that stores its hash, and the code itself to put in the SMS."""

    row: OneTimeCode
    code: str


def _code_hash(applicant_id: int, purpose: str, code: str) -> str:
    key = get_settings().resolved_secret_key().encode()
    return hmac.new(key, f"otp:{applicant_id}:{purpose}:{code}".encode(), hashlib.sha256).hexdigest()


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown one-time code purpose {purpose!r}; use one of {PURPOSES}")


def latest_code(session: Session, applicant: Applicant, purpose: str) -> OneTimeCode | None:
    return session.scalar(
        select(OneTimeCode)
        .where(OneTimeCode.applicant_id == applicant.id, OneTimeCode.purpose == purpose)
        .order_by(OneTimeCode.created_at.desc(), OneTimeCode.id.desc())
        .limit(1)
    )


def seconds_until_resend(session: Session, applicant: Applicant, purpose: str, now: datetime | None = None) -> int:
    """Return how many seconds remain before another code may be sent (0 when one may be sent now)."""
    now = now or utcnow()
    latest = latest_code(session, applicant, purpose)
    if latest is None:
        return 0
    remaining = (latest.created_at + RESEND_COOLDOWN - now).total_seconds()
    return max(0, int(remaining + 0.999))


def check_can_issue(session: Session, applicant: Applicant, purpose: str, now: datetime | None = None) -> None:
    """Raise TooManyRequests while the cooldown runs or after the day's quota of codes."""
    now = now or utcnow()
    wait_s = seconds_until_resend(session, applicant, purpose, now)
    if wait_s:
        raise TooManyRequests(
            N_("A code was sent less than a minute ago; wait %(seconds)d seconds before asking for another."),
            seconds=wait_s,
        )
    sent_today = session.scalar(
        select(func.count())
        .select_from(OneTimeCode)
        .where(
            OneTimeCode.applicant_id == applicant.id,
            OneTimeCode.purpose == purpose,
            OneTimeCode.created_at > now - timedelta(days=1),
        )
    )
    if sent_today >= MAX_CODES_PER_DAY:
        raise TooManyRequests(
            N_("%(count)d codes were sent to this account in the last 24 hours, the most allowed; "
               "try again tomorrow."),
            count=sent_today,
        )


def issue_code(session: Session, applicant: Applicant, purpose: str, now: datetime | None = None) -> IssuedCode:
    """Create a code for the applicant, replacing any earlier one of the same purpose.

    Raises TooManyRequests as check_can_issue does. The caller sends the code by SMS in the
    same transaction (recruitment.notify.service.queue_sms).
    """
    _check_purpose(purpose)
    now = now or utcnow()
    check_can_issue(session, applicant, purpose, now)

    # Earlier codes stop working as soon as a new one is sent, so only the newest SMS counts.
    session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.applicant_id == applicant.id,
            OneTimeCode.purpose == purpose,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.expires_at > now,
        )
        .values(expires_at=now)
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = OneTimeCode(
        applicant_id=applicant.id,
        purpose=purpose,
        code_hash=_code_hash(applicant.id, purpose, code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    session.add(row)
    session.flush()
    logger.info("one-time code issued applicant=%s purpose=%s code_id=%s", applicant.id, purpose, row.id)
    return IssuedCode(row, code)


def clean_code(value: str | None) -> str:
    """Return the typed code as six ASCII digits; raises InvalidApplicantData for anything else."""
    text = to_ascii_digits("".join((value or "").split()))
    if not text:
        raise InvalidApplicantData(N_("Enter the %(digits)d-digit code from the SMS."), digits=CODE_DIGITS)
    if len(text) != CODE_DIGITS or not text.isascii() or not text.isdigit():
        raise InvalidApplicantData(
            N_("The code has %(digits)d digits; type it exactly as the SMS shows it."), digits=CODE_DIGITS
        )
    return text


def check_code(
    session: Session, applicant: Applicant, purpose: str, code: str, now: datetime | None = None
) -> DiwanError | None:
    """Check a typed code and mark it used when it matches; return the problem, or None on success.

    A wrong try is counted on the code row, so the caller must commit even when a problem is
    returned. The problem is returned rather than raised for that reason.
    """
    _check_purpose(purpose)
    now = now or utcnow()
    row = latest_code(session, applicant, purpose)

    if row is None or row.used_at is not None or row.expires_at <= now:
        return CodeRejected(N_("This code has expired or was already used; ask for a new code."))
    if row.attempts >= MAX_CODE_ATTEMPTS:
        return CodeRejected(
            N_("The code was typed wrongly %(count)d times, so it no longer works; ask for a new code."),
            count=row.attempts,
        )

    if not hmac.compare_digest(row.code_hash, _code_hash(applicant.id, purpose, code)):
        row.attempts += 1
        logger.info("one-time code mismatch applicant=%s purpose=%s attempts=%s", applicant.id, purpose, row.attempts)
        left = MAX_CODE_ATTEMPTS - row.attempts
        if left <= 0:
            return CodeRejected(
                N_("The code was typed wrongly %(count)d times, so it no longer works; ask for a new code."),
                count=row.attempts,
            )
        return CodeRejected(
            N_("The code is wrong; check the SMS and type it again (%(left)d tries left)."), left=left
        )

    row.used_at = now
    logger.info("one-time code used applicant=%s purpose=%s code_id=%s", applicant.id, purpose, row.id)
    return None
