"""Departments, users, API tokens and web sessions."""

import hashlib
import logging
import re
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_api.accounts.models import ROLES, ApiToken, Department, User, WebSession
from archive_api.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from archive_api.errors import N_, Conflict, DiwanError, NotFound
from archive_api.timeutil import utcnow

logger = logging.getLogger(__name__)

DEPARTMENT_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
SESSION_LIFETIME = timedelta(hours=12)
TOKEN_PREFIX = "dwn_"  # noqa: S105 - a public prefix that marks Diwan tokens in logs and scanners


class InvalidAccountData(DiwanError):
    code = "invalid_account_data"


class AuthenticationFailed(DiwanError):
    http_status = 401
    code = "authentication_failed"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def add_department(session: Session, code: str, name_ar: str, name_en: str, recruitment: bool = False) -> Department:
    code = code.strip().upper()
    if not DEPARTMENT_CODE.match(code):
        raise InvalidAccountData(
            N_("Department code %(code)r is invalid; use 1 to 32 capital letters, digits, _ or -."),
            code=code,
        )
    if not name_ar.strip() or not name_en.strip():
        raise InvalidAccountData(N_("Department %(code)s needs both an Arabic and an English name."), code=code)
    if session.scalar(select(Department).where(Department.code == code)):
        raise Conflict(N_("Department %(code)s already exists."), code=code)

    department = Department(code=code, name_ar=name_ar.strip(), name_en=name_en.strip(), recruitment=recruitment)
    session.add(department)
    session.flush()
    logger.info("department added id=%s code=%s", department.id, code)
    return department


def get_department(session: Session, code: str) -> Department:
    department = session.scalar(select(Department).where(Department.code == code.strip().upper()))
    if department is None:
        raise NotFound(
            N_("Department %(code)s does not exist; list departments or add it with `diwan department add`."),
            code=code,
        )
    return department


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidAccountData(
            N_("The password is too short; use at least %(minimum)d characters."),
            minimum=MIN_PASSWORD_LENGTH,
        )


def add_user(session: Session, username: str, department_code: str, role: str, password: str | None) -> User:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidAccountData(
            N_("Username %(username)r is invalid; use 2 to 64 lowercase letters, digits, . _ or -."),
            username=username,
        )
    if role not in ROLES:
        raise InvalidAccountData(N_("Role %(role)r is unknown; choose admin, clerk or reader."), role=role)
    department = get_department(session, department_code)
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(N_("User %(username)s already exists."), username=username)
    if password is not None:
        check_password_strength(password)

    user = User(
        username=username,
        department_id=department.id,
        role=role,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    logger.info("user added id=%s department=%s role=%s", user.id, department.code, role)
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(N_("User %(username)s does not exist."), username=username)
    return user


def set_password(session: Session, user: User, password: str) -> None:
    check_password_strength(password)
    user.password_hash = hash_password(password)


def create_token(session: Session, user: User) -> str:
    """Create an API token for the user and return it; only its hash is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), prefix=token[:10]))
    session.flush()
    logger.info("api token created user=%s", user.id)
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return row.user


def authenticate(session: Session, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active or not verify_password(user.password_hash, password):
        raise AuthenticationFailed(N_("Wrong username or password."))
    return user


def start_session(session: Session, user: User) -> tuple[str, WebSession]:
    """Open a web session and return its cookie value and row (which holds the CSRF token)."""
    cookie_value = secrets.token_urlsafe(32)
    web_session = WebSession(
        session_hash=_digest(cookie_value),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + SESSION_LIFETIME,
    )
    session.add(web_session)
    session.flush()
    return cookie_value, web_session


def find_session(session: Session, cookie_value: str) -> WebSession | None:
    row = session.scalar(select(WebSession).where(WebSession.session_hash == _digest(cookie_value)))
    if row is None or row.expires_at <= utcnow() or not row.user.active:
        return None
    return row


def end_session(session: Session, cookie_value: str) -> None:
    row = session.scalar(select(WebSession).where(WebSession.session_hash == _digest(cookie_value)))
    if row is not None:
        session.delete(row)
