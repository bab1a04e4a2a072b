"""Administration: role checks, departments, users, grants with audit entries, the audit log."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from archive_api.access.models import Grant
from archive_api.accounts.models import Department, User
from archive_api.audit.models import AuditEntry
from archive_api.timeutil import to_local, utcnow
from tests.factories.records import make_record
from tests.web.pages import arabic, translated

ADMIN_PAGES = ["/admin", "/admin/users", "/admin/departments", "/admin/grants", "/admin/audit"]


@pytest.fixture
def admin(client, hr):
    client.login("hr.admin")
    return client


def _entries(archive, action: str) -> list[AuditEntry]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.mark.parametrize("username", ["hr.reader", "hr.clerk"])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_refuse_non_admins(client, hr, username, path):
    client.login(username)

    response = client.get(path)

    assert response.status_code == 403
    assert arabic("This page is for administrators only.") in response.text


def test_admin_forms_refuse_non_admins(client, hr, archive):
    client.login("hr.clerk")

    response = client.post("/admin/departments", {"code": "NEW", "name_ar": "جديدة", "name_en": "New"})

    assert response.status_code == 403
    with archive.db.session(write=False) as session:
        assert session.scalar(select(Department).where(Department.code == "NEW")) is None


def test_admin_nav_only_for_admin(new_client, hr):
    reader, manager = new_client(), new_client()
    reader.login("hr.reader")
    manager.login("hr.admin")

    assert 'href="/admin"' not in reader.get("/search").text
    assert 'href="/upload"' not in reader.get("/search").text
    assert 'href="/admin"' in manager.get("/search").text


# --- departments ---------------------------------------------------------------------------------


def test_department_added(admin, archive):
    response = admin.post("/admin/departments", {"code": "legal", "name_ar": "الشؤون القانونية", "name_en": "Legal"})

    assert response.headers["location"] == "/admin/departments?added=LEGAL"
    assert arabic("Department %(code)s was added.", code="LEGAL") in admin.get(response.headers["location"]).text
    assert _entries(archive, "department_add")[0].target_id is not None


@pytest.mark.parametrize(
    ("values", "field", "msgid", "params"),
    [
        ({"code": ""}, "code", "Enter a short code for the department, such as HR.", {}),
        ({"code": "بلا رمز"}, "code",
         "Department code %(code)r is invalid; use 1 to 32 capital letters, digits, _ or -.", {"code": "بلا رمز"}),
        ({"code": "HR"}, "code", "Department %(code)s already exists.", {"code": "HR"}),
        ({"name_ar": ""}, "name_ar", "Enter the Arabic name of the department.", {}),
        ({"name_en": "  "}, "name_en", "Enter the English name of the department.", {}),
    ],
)
def test_department_bad_input(admin, values, field, msgid, params):
    typed = {"code": "LEGAL", "name_ar": "الشؤون القانونية", "name_en": "Legal", **values}

    response = admin.post("/admin/departments", typed)

    assert response.status_code in (409, 400, 422)
    assert f'id="f-{field}-error"' in response.text
    assert arabic(msgid, **params) in response.text
    for value in typed.values():
        if value.strip():
            assert f'value="{value}"' in response.text


# --- users ---------------------------------------------------------------------------------------


def test_user_added_to_admin_department(admin, archive):
    response = admin.post("/admin/users", {"username": "New.Clerk", "role": "clerk",
                                           "password": "long enough pass", "password_again": "long enough pass"})

    assert response.headers["location"] == "/admin/users?added=new.clerk"
    with archive.db.session(write=False) as session:
        user = session.scalar(select(User).where(User.username == "new.clerk"))
        assert user.department.code == "HR"
    assert _entries(archive, "user_add")[0].target_id == str(user.id)


def test_users_list_own_department_only(admin, fin):
    response = admin.get("/admin/users")

    assert "hr.reader" in response.text
    assert "fin.clerk" not in response.text


@pytest.mark.parametrize(
    ("values", "field", "msgid", "params"),
    [
        ({"username": ""}, "username", "Enter a username, such as m.khalil.", {}),
        ({"username": "م"}, "username",
         "Username %(username)r is invalid; use 2 to 64 lowercase letters, digits, . _ or -.", {"username": "م"}),
        ({"username": "hr.reader"}, "username", "User %(username)s already exists.", {"username": "hr.reader"}),
        ({"role": "boss"}, "role", "Role %(role)r is unknown; choose admin, clerk or reader.", {"role": "boss"}),
        ({"password": "", "password_again": ""}, "password", "Enter a password for the new user.", {}),
        ({"password": "short", "password_again": "short"}, "password",
         "The password is too short; use at least %(minimum)d characters.", {"minimum": 10}),
        ({"password_again": "something else"}, "password_again",
         "The two passwords differ; type the same password twice.", {}),
    ],
)
def test_user_bad_input(admin, archive, values, field, msgid, params):
    typed = {"username": "new.clerk", "role": "clerk", "password": "long enough pass",
             "password_again": "long enough pass", **values}

    response = admin.post("/admin/users", typed)

    assert response.status_code in (400, 409, 422)
    assert f'id="f-{field}-error"' in response.text
    assert arabic(msgid, **params) in response.text
    if typed["username"]:
        assert f'value="{typed["username"]}"' in response.text
    assert typed["password"] not in response.text or not typed["password"]
    with archive.db.session(write=False) as session:
        assert session.scalar(select(User).where(User.username == "new.clerk")) is None


# --- grants --------------------------------------------------------------------------------------


def test_grant_given_and_audited(admin, archive, fin):
    response = admin.post("/admin/grants", {"grantee": "FIN", "scope": "doc_type", "doc_type": "Contract",
                                            "until": "2099-12-31"})

    assert response.status_code == 303
    with archive.db.session(write=False) as session:
        grant = session.scalars(select(Grant)).one()
    assert grant.doc_type == "contract"
    assert grant.expires_at is not None
    entry = _entries(archive, "grant")[0]
    assert entry.target_id == str(grant.id)
    assert '"to":"FIN"' in entry.details


def test_grant_revoked_and_audited(admin, archive, fin):
    admin.post("/admin/grants", {"grantee": "FIN", "scope": "department"})
    with archive.db.session(write=False) as session:
        grant_id = session.scalars(select(Grant.id)).one()

    response = admin.post(f"/admin/grants/{grant_id}/revoke")
    admin.post(f"/admin/grants/{grant_id}/revoke")

    assert response.status_code == 303
    with archive.db.session(write=False) as session:
        assert session.get(Grant, grant_id).revoked_at is not None
    assert len(_entries(archive, "revoke")) == 1
    assert arabic("Revoked") in admin.get("/admin/grants").text


def test_grant_revoke_other_department_404(new_client, hr, fin):
    finance = new_client()
    finance.login("fin.admin")
    finance.post("/admin/grants", {"grantee": "HR", "scope": "department"})
    manager = new_client()
    manager.login("hr.admin")

    response = manager.post("/admin/grants/1/revoke")

    assert response.status_code == 404


def test_grant_received_listed(new_client, hr, fin):
    finance = new_client()
    finance.login("fin.admin")
    finance.post("/admin/grants", {"grantee": "HR", "scope": "department"})
    manager = new_client()
    manager.login("hr.admin")

    response = manager.get("/admin/grants")

    assert "دائرة FIN" in response.text
    assert arabic("Active") in response.text


@pytest.mark.parametrize(
    ("values", "field", "msgid", "params"),
    [
        ({"grantee": ""}, "grantee", "Choose the department that gets read access.", {}),
        ({"grantee": "NOPE"}, "grantee", "Department %(code)s does not exist.", {"code": "NOPE"}),
        ({"scope": "everything"}, "scope",
         "Grant scope %(scope)r is unknown; choose department, doc_type or document.", {"scope": "everything"}),
        ({"scope": "doc_type", "doc_type": ""}, "doc_type", "Enter the document type to share, such as contract.", {}),
        ({"scope": "doc_type", "doc_type": "عقد عمل"}, "doc_type",
         "Document type %(value)r is invalid; use up to 64 letters, digits, _ or -, for example contract.",
         {"value": "عقد عمل"}),
        ({"scope": "document", "document_id": ""}, "document_id",
         "Enter the number of the record to share; it is shown on the document page.", {}),
        ({"scope": "document", "document_id": "abc"}, "document_id",
         "The record number %(value)r is not a number; type the number shown on the document page.",
         {"value": "abc"}),
        ({"scope": "document", "document_id": "999"}, "document_id",
         "Document %(id)s is not a record of your department, so you cannot grant it.", {"id": 999}),
        ({"until": "31-12-2099"}, "until",
         "The %(field)s %(value)r is not a date; write it as YYYY-MM-DD, for example 2019-07-21.",
         {"field": translated("end date"), "value": "31-12-2099"}),
        ({"until": (date.today() - timedelta(days=2)).isoformat()}, "until",
         "The expiry date %(date)s is in the past; choose a later date.", {"date": date.today() - timedelta(days=2)}),
    ],
)
def test_grant_bad_input(admin, archive, fin, values, field, msgid, params):
    typed = {"grantee": "FIN", "scope": "department", "doc_type": "", "document_id": "", "until": "", **values}

    response = admin.post("/admin/grants", typed)

    assert response.status_code in (400, 404, 422)
    assert f'id="f-{field}-error"' in response.text
    assert arabic(msgid, **params) in response.text
    for name in ("doc_type", "document_id", "until"):
        if typed[name]:
            assert f'value="{typed[name]}"' in response.text
    with archive.db.session(write=False) as session:
        assert session.scalars(select(Grant)).first() is None
    assert _entries(archive, "grant") == []


def test_grant_own_department_refused(admin, archive):
    response = admin.post("/admin/grants", {"grantee": "HR", "scope": "department"})

    assert response.status_code == 400
    assert arabic("A department already reads its own records; choose another department.") in response.text


def test_grant_of_own_record(admin, archive, fin):
    document_id = make_record(archive, "HR")

    response = admin.post("/admin/grants", {"grantee": "FIN", "scope": "document", "document_id": str(document_id)})

    assert response.status_code == 303


# --- audit log -----------------------------------------------------------------------------------


def test_audit_log_lists_with_hash(admin, archive, fin):
    admin.post("/admin/grants", {"grantee": "FIN", "scope": "department"})
    entry = _entries(archive, "grant")[0]

    response = admin.get("/admin/audit")

    assert entry.hash in response.text
    assert arabic("Grant access") in response.text


def test_audit_log_filters(admin, archive, fin):
    admin.post("/admin/grants", {"grantee": "FIN", "scope": "department"})
    admin.get("/search", params={"q": "عقد"})

    grants_only = admin.get("/admin/audit", params={"action": "grant"})
    nobody = admin.get("/admin/audit", params={"actor": "someone.else"})
    council_today = to_local(utcnow()).date().isoformat()
    today = admin.get("/admin/audit", params={"from": council_today, "to": council_today})

    assert arabic("Entries: %(total)d", total=1) in grants_only.text
    assert arabic("Entries: %(total)d", total=0) in nobody.text
    assert arabic("Entries: %(total)d", total=2) in today.text


def test_audit_log_hides_other_departments(new_client, hr, fin):
    finance = new_client()
    finance.login("fin.admin")
    finance.post("/admin/grants", {"grantee": "HR", "scope": "department"})
    manager = new_client()
    manager.login("hr.admin")

    response = manager.get("/admin/audit", params={"action": "grant"})

    assert arabic("Entries: %(total)d", total=0) in response.text


@pytest.mark.parametrize("field", ["from", "to"])
def test_audit_log_bad_date(admin, field):
    response = admin.get("/admin/audit", params={field: "2020/99/99"})

    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text
    assert 'value="2020/99/99"' in response.text


def test_audit_chain_verified(admin, fin):
    admin.post("/admin/grants", {"grantee": "FIN", "scope": "department"})

    response = admin.get("/admin/audit", params={"verify": "1"})

    assert arabic("Checked %(count)d entries: the chain is intact.", count=1) in response.text


def test_audit_chain_broken_reported(admin, archive, fin):
    admin.post("/admin/grants", {"grantee": "FIN", "scope": "department"})
    with archive.db.session() as session:
        session.scalars(select(AuditEntry)).first().details = '{"to":"EVIL"}'

    response = admin.get("/admin/audit", params={"verify": "1"})

    assert arabic("Checked %(count)d entries: the chain is broken.", count=1) in response.text


def test_audit_log_pagination(admin, archive):
    for number in range(55):
        admin.get("/search", params={"q": f"كلمة{number}"})

    first = admin.get("/admin/audit")
    second = admin.get("/admin/audit", params={"page": "2"})

    assert arabic("page %(page)d of %(pages)d", page=1, pages=2) in first.text
    assert 'rel="next"' in first.text
    assert arabic("page %(page)d of %(pages)d", page=2, pages=2) in second.text
