from datetime import timedelta

import pytest

from archive_api.access import service as access
from archive_api.accounts.service import get_user
from archive_api.documents.models import Document
from archive_api.errors import NotFound, PermissionDenied
from archive_api.timeutil import utcnow
from tests.factories.records import make_record


@pytest.fixture
def two_departments(people):
    people.department("HR")
    people.department("MOH")
    people.user("hr.admin", "HR", "admin")
    people.user("hr.clerk", "HR", "clerk")
    people.user("moh.reader", "MOH", "reader")


def _can_read(archive, username, document_id):
    with archive.db.session(write=False) as session:
        return access.can_read(session, get_user(session, username), session.get(Document, document_id))


def _grant(archive, scope, **options):
    with archive.db.session() as session:
        return access.create_grant(session, get_user(session, "hr.admin"), "MOH", scope, **options).id


def test_own_department_reads(archive, two_departments):
    record = make_record(archive, "HR")
    assert _can_read(archive, "hr.clerk", record)


def test_other_department_refused(archive, two_departments):
    record = make_record(archive, "HR")
    assert not _can_read(archive, "moh.reader", record)


def test_unreadable_record_looks_missing(archive, two_departments):
    record = make_record(archive, "HR")
    with archive.db.session(write=False) as session, pytest.raises(NotFound):
        access.require_read(session, get_user(session, "moh.reader"), record)


def test_department_grant(archive, two_departments):
    record = make_record(archive, "HR", "contract")
    _grant(archive, "department")
    assert _can_read(archive, "moh.reader", record)


def test_doc_type_grant_covers_only_that_type(archive, two_departments):
    contract = make_record(archive, "HR", "contract")
    diploma = make_record(archive, "HR", "diploma")
    _grant(archive, "doc_type", doc_type="contract")
    assert _can_read(archive, "moh.reader", contract)
    assert not _can_read(archive, "moh.reader", diploma)


def test_record_grant_covers_only_that_record(archive, two_departments):
    granted = make_record(archive, "HR")
    other = make_record(archive, "HR")
    _grant(archive, "document", document_id=granted)
    assert _can_read(archive, "moh.reader", granted)
    assert not _can_read(archive, "moh.reader", other)


def test_expired_grant_refused(archive, two_departments):
    record = make_record(archive, "HR")
    grant_id = _grant(archive, "department", expires_at=utcnow() + timedelta(hours=1))
    assert _can_read(archive, "moh.reader", record)
    with archive.db.session(write=False) as session:
        later = utcnow() + timedelta(hours=2)
        principals = access.principals_of(session, get_user(session, "moh.reader"), now=later)
    assert access.department_key("HR") not in principals
    assert grant_id


def test_revoked_grant_refused(archive, two_departments):
    record = make_record(archive, "HR")
    grant_id = _grant(archive, "department")
    with archive.db.session() as session:
        access.revoke_grant(session, get_user(session, "hr.admin"), grant_id)
    assert not _can_read(archive, "moh.reader", record)


def test_grant_needs_admin(archive, two_departments):
    with archive.db.session() as session, pytest.raises(PermissionDenied):
        access.create_grant(session, get_user(session, "hr.clerk"), "MOH", "department")


@pytest.mark.parametrize(
    ("grantee", "scope", "options", "message"),
    [
        ("MOH", "everything", {}, "scope"),
        ("NOPE", "department", {}, "NOPE"),
        ("HR", "department", {}, "own records"),
        ("MOH", "doc_type", {"doc_type": " "}, "document type"),
        ("MOH", "document", {"document_id": 999999}, "999999"),
        ("MOH", "department", {"expires_at": utcnow() - timedelta(days=1)}, "past"),
    ],
)
def test_grant_invalid(archive, two_departments, grantee, scope, options, message):
    with archive.db.session() as session, pytest.raises((access.InvalidGrant, NotFound)) as raised:
        access.create_grant(session, get_user(session, "hr.admin"), grantee, scope, **options)
    assert message in str(raised.value)


def test_grant_of_other_departments_record_refused(archive, two_departments, people):
    foreign = make_record(archive, "MOH")
    people.department("EDU")
    with archive.db.session() as session, pytest.raises(access.InvalidGrant):
        access.create_grant(session, get_user(session, "hr.admin"), "EDU", "document", document_id=foreign)


def test_revoke_by_other_department_refused(archive, two_departments, people):
    grant_id = _grant(archive, "department")
    people.user("moh.admin", "MOH", "admin")
    with archive.db.session() as session, pytest.raises(NotFound):
        access.revoke_grant(session, get_user(session, "moh.admin"), grant_id)
