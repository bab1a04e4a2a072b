"""Applicant accounts: sign-up, mobile confirmation, sign-in and their sessions.

An applicant signs in with their national ID number and password. Until the mobile number is
confirmed with the code sent to it, the session lets them do nothing but confirm it
(web.recruitment.applicants_deps enforces that).
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive_api.accounts.passwords import hash_password, verify_password
from archive_api.errors import N_
from archive_api.i18n import LANGUAGES
from archive_api.timeutil import to_local, utcnow
from recruitment.applicants.codes import PURPOSE_CONFIRM_MOBILE, check_code, issue_code
from recruitment.applicants.errors import AccountExists, InvalidApplicantData, SignInFailed
from recruitment.applicants.models import Applicant, ApplicantSession
from recruitment.applicants.national_id import clean_national_id
from recruitment.applicants.personal import check_applicant_password, clean_birth_date, clean_full_name
from recruitment.applicants.phones import clean_mobile
from recruitment.notify.service import queue_sms

logger = logging.getLogger(__name__)

SESSION_LIFETIME = timedelta(hours=8)
STAGE_SIGN_UP = "sign_up"
# Verified against when the national ID is unknown, so a wrong ID takes as long as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class SignUp:
    """Sign-up fields as typed; sign_up checks each one."""

    national_id: str
    full_name: str
    birth_date: str
    mobile: str
    password: str
    language: str = "ar"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_sign_up(form: SignUp, today: date | None = None) -> dict[str, InvalidApplicantData]:
    """Check every field on its own and return the problems by field name (empty when all are fine)."""
    problems: dict[str, InvalidApplicantData] = {}
    national_id = ""
    checks = {
        "national_id": lambda: clean_national_id(form.national_id),
        "full_name": lambda: clean_full_name(form.full_name),
        "birth_date": lambda: clean_birth_date(form.birth_date, today),
        "mobile": lambda: clean_mobile(form.mobile),
    }
    for name, check in checks.items():
        try:
            value = check()
        except InvalidApplicantData as error:
            problems[name] = error
            continue
        if name == "national_id":
            national_id = value
    try:
        check_applicant_password(form.password, national_id)
    except InvalidApplicantData as error:
        problems["password"] = error
    return problems


def find_by_national_id(session: Session, national_id: str) -> Applicant | None:
    return session.scalar(select(Applicant).where(Applicant.national_id == national_id))


def _local_time(moment) -> str:
    return to_local(moment).strftime("%H:%M")


def send_confirmation_code(session: Session, applicant: Applicant) -> None:
    """Issue a mobile confirmation code and queue its SMS; raises TooManyRequests during the cooldown."""
    issued = issue_code(session, applicant, PURPOSE_CONFIRM_MOBILE)
    queue_sms(
        session, applicant, "sign_up_code", {"code": issued.code, "expires": _local_time(issued.row.expires_at)},
        STAGE_SIGN_UP,
    )


def sign_up(session: Session, form: SignUp, today: date | None = None) -> Applicant:
    """Create an account and queue the SMS with its confirmation code, in the caller's transaction.

    Raises InvalidApplicantData for the first bad field (check_sign_up lists them all) and
    AccountExists when the national ID number already has an account.
    """
    problems = check_sign_up(form, today)
    if problems:
        raise next(iter(problems.values()))
    national_id = clean_national_id(form.national_id)
    if find_by_national_id(session, national_id) is not None:
        raise _account_exists(national_id)

    applicant = Applicant(
        national_id=national_id,
        full_name=clean_full_name(form.full_name),
        birth_date=clean_birth_date(form.birth_date, today),
        mobile=clean_mobile(form.mobile),
        password_hash=hash_password(form.password),
        language=form.language if form.language in LANGUAGES else "ar",
    )
    try:
        # A savepoint, so that losing a race with a simultaneous sign-up leaves the transaction usable.
        with session.begin_nested():
            session.add(applicant)
            session.flush()
    except IntegrityError as error:
        raise _account_exists(national_id) from error

    send_confirmation_code(session, applicant)
    logger.info("applicant signed up id=%s", applicant.id)
    return applicant


def _account_exists(national_id: str) -> AccountExists:
    return AccountExists(
        N_("An account already exists for the national ID number %(national_id)s; sign in, or reset "
           "the password if you have forgotten it."),
        national_id=national_id,
    )


def authenticate(session: Session, national_id: str, password: str) -> Applicant:
    """Return the active applicant with this national ID and password; raises SignInFailed.

    The message is the same for an unknown ID and a wrong password.
    """
    applicant = find_by_national_id(session, national_id)
    if applicant is None:
        verify_password(_DUMMY_HASH, password)
        raise SignInFailed(N_("Wrong national ID number or password."))
    if not verify_password(applicant.password_hash, password) or not applicant.active:
        raise SignInFailed(N_("Wrong national ID number or password."))
    return applicant


def start_session(session: Session, applicant: Applicant) -> tuple[str, ApplicantSession]:
    """Open an applicant session; return the cookie value (stored only as a hash) and the row."""
    cookie_value = secrets.token_urlsafe(32)
    row = ApplicantSession(
        session_hash=_digest(cookie_value),
        applicant_id=applicant.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + SESSION_LIFETIME,
    )
    session.add(row)
    session.flush()
    return cookie_value, row


def find_session(session: Session, cookie_value: str) -> ApplicantSession | None:
    """Return the live session of this cookie, or None when it is unknown, expired or its account closed."""
    row = session.scalar(select(ApplicantSession).where(ApplicantSession.session_hash == _digest(cookie_value)))
    if row is None or row.expires_at <= utcnow() or not row.applicant.active:
        return None
    return row


def end_session(session: Session, cookie_value: str) -> None:
    session.execute(delete(ApplicantSession).where(ApplicantSession.session_hash == _digest(cookie_value)))


def end_all_sessions(session: Session, applicant: Applicant) -> None:
    session.execute(delete(ApplicantSession).where(ApplicantSession.applicant_id == applicant.id))


def confirm_mobile(session: Session, applicant: Applicant, typed_code: str) -> None:
    """Mark the mobile number confirmed when the code matches; raises CodeRejected or InvalidApplicantData.

    The caller commits even after CodeRejected, so the wrong try stays counted.
    """
    problem = check_code(session, applicant, PURPOSE_CONFIRM_MOBILE, typed_code)
    if problem is not None:
        raise problem
    applicant.mobile_confirmed_at = utcnow()
    logger.info("applicant mobile confirmed id=%s", applicant.id)


def change_unconfirmed_mobile(session: Session, applicant: Applicant, mobile: str) -> None:
    """Replace a mobile number that was never confirmed (a typo at sign-up) and send it a new code."""
    if applicant.mobile_confirmed_at is not None:
        raise InvalidApplicantData(N_("Your mobile number is already confirmed, so it cannot be changed here."))
    applicant.mobile = clean_mobile(mobile)
    send_confirmation_code(session, applicant)
    logger.info("applicant changed unconfirmed mobile id=%s", applicant.id)
