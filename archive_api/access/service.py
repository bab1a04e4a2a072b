"""Read access: the keys a record carries, the principals a user holds, and grants between them.

A record's readers are access keys stored with it in the search index: its department, its
department and type, and its own id. A user's principals are the same kinds of keys, computed at
request time from their department and the grants it holds that have not expired or been revoked.
The search engine keeps a hit only when the two sets meet, so changing a grant never requires a
reindex.
"""

import logging
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from archive_api.access.models import (
    SCOPE_DEPARTMENT,
    SCOPE_DOC_TYPE,
    SCOPE_DOCUMENT,
    SCOPES,
    Grant,
)
from archive_api.accounts.models import Department, User
from archive_api.documents.models import Document
from archive_api.errors import N_, DiwanError, NotFound, PermissionDenied
from archive_api.settings import get_settings
from archive_api.timeutil import utcnow

logger = logging.getLogger(__name__)


class InvalidGrant(DiwanError):
    code = "invalid_grant"


def department_key(code: str) -> str:
    return f"dept:{code}"


def doc_type_key(code: str, doc_type: str) -> str:
    return f"type:{code}:{doc_type}"


def document_key(document_id: int) -> str:
    return f"doc:{document_id}"


def applicant_key(applicant_id: int) -> str:
    return f"applicant:{applicant_id}"


def readers_of(document: Document) -> tuple[str, ...]:
    """Access keys stored with a record in the search index."""
    code = document.department.code
    keys = [department_key(code), document_key(document.id)]
    if document.doc_type:
        keys.append(doc_type_key(code, document.doc_type))
    if document.owner_applicant_id is not None:
        keys.append(applicant_key(document.owner_applicant_id))
    return tuple(keys)


def active_grants_for(session: Session, department_id: int, now: datetime | None = None) -> list[Grant]:
    now = now or utcnow()
    return list(
        session.scalars(
            select(Grant).where(
                Grant.grantee_department_id == department_id,
                Grant.revoked_at.is_(None),
                or_(Grant.expires_at.is_(None), Grant.expires_at > now),
            )
        )
    )


def _grant_key(grant: Grant) -> str:
    if grant.scope == SCOPE_DEPARTMENT:
        return department_key(grant.grantor.code)
    if grant.scope == SCOPE_DOC_TYPE:
        return doc_type_key(grant.grantor.code, grant.doc_type or "")
    return document_key(grant.document_id or 0)


def principals_of(session: Session, user: User, now: datetime | None = None) -> frozenset[str]:
    """Access keys the user holds now: their department plus every live grant to it."""
    keys = {department_key(user.department.code)}
    keys.update(_grant_key(grant) for grant in active_grants_for(session, user.department_id, now))
    if user.department.recruitment:
        # The recruitment office reads every applicant's documents to handle applications.
        keys.add(department_key(get_settings().applicants_department))
    return frozenset(keys)


def can_read(session: Session, user: User, document: Document) -> bool:
    return bool(principals_of(session, user) & set(readers_of(document)))


def require_read(session: Session, user: User, document_id: int) -> Document:
    """Load a record the user may read; an unreadable record looks exactly like a missing one."""
    document = session.get(Document, document_id)
    if document is None or not can_read(session, user, document):
        raise NotFound(N_("Document %(id)s was not found."), id=document_id)
    return document


def create_grant(
    session: Session,
    admin: User,
    grantee_code: str,
    scope: str,
    doc_type: str | None = None,
    document_id: int | None = None,
    expires_at: datetime | None = None,
) -> Grant:
    """Let another department read records of the admin's own department."""
    if admin.role != "admin":
        raise PermissionDenied(N_("Only an administrator can grant access."))
    if scope not in SCOPES:
        raise InvalidGrant(
            N_("Grant scope %(scope)r is unknown; choose department, doc_type or document."), scope=scope
        )
    grantee = session.scalar(select(Department).where(Department.code == grantee_code.strip().upper()))
    if grantee is None:
        raise NotFound(N_("Department %(code)s does not exist."), code=grantee_code)
    if grantee.id == admin.department_id:
        raise InvalidGrant(N_("A department already reads its own records; choose another department."))
    if scope == SCOPE_DOC_TYPE and not (doc_type or "").strip():
        raise InvalidGrant(N_("A document-type grant needs a document type."))
    if scope == SCOPE_DOCUMENT:
        document = session.get(Document, document_id) if document_id else None
        if document is None or document.department_id != admin.department_id:
            raise InvalidGrant(
                N_("Document %(id)s is not a record of your department, so you cannot grant it."),
                id=document_id,
            )
    if expires_at is not None and expires_at <= utcnow():
        raise InvalidGrant(N_("The expiry date %(date)s is in the past; choose a later date."), date=expires_at.date())

    grant = Grant(
        grantor_department_id=admin.department_id,
        grantee_department_id=grantee.id,
        scope=scope,
        # Records store their type in lower case (documents.metadata), so grants must match it.
        doc_type=doc_type.strip().lower() if scope == SCOPE_DOC_TYPE and doc_type else None,
        document_id=document_id if scope == SCOPE_DOCUMENT else None,
        expires_at=expires_at,
        created_by_id=admin.id,
    )
    session.add(grant)
    session.flush()
    logger.info("grant created id=%s scope=%s grantee=%s", grant.id, scope, grantee.id)
    return grant


def revoke_grant(session: Session, admin: User, grant_id: int) -> Grant:
    grant = session.get(Grant, grant_id)
    if grant is None or grant.grantor_department_id != admin.department_id or admin.role != "admin":
        raise NotFound(N_("Grant %(id)s was not found among your department's grants."), id=grant_id)
    if grant.revoked_at is None:
        grant.revoked_at = utcnow()
    return grant


def grants_of_department(session: Session, department_id: int) -> list[Grant]:
    """Grants a department gave and received, newest first."""
    return list(
        session.scalars(
            select(Grant)
            .where(or_(Grant.grantor_department_id == department_id, Grant.grantee_department_id == department_id))
            .order_by(Grant.created_at.desc())
        )
    )
