import pytest

from archive_api.accounts import service
from archive_api.errors import Conflict, NotFound
from tests.conftest import PASSWORD


def test_department_code_normalised(archive):
    with archive.db.session() as session:
        department = service.add_department(session, " hr ", "شؤون الموظفين", "Personnel")
    assert department.code == "HR"


@pytest.mark.parametrize("code", ["", "has space", "ÄÖ", "x" * 40, "../HR"])
def test_department_code_invalid(archive, code):
    with archive.db.session() as session, pytest.raises(service.InvalidAccountData) as raised:
        service.add_department(session, code, "اسم", "Name")
    assert "Department code" in str(raised.value)


def test_department_needs_both_names(archive):
    with archive.db.session() as session, pytest.raises(service.InvalidAccountData):
        service.add_department(session, "HR", "", "Personnel")


def test_department_duplicate(people, archive):
    people.department("HR")
    with archive.db.session() as session, pytest.raises(Conflict):
        service.add_department(session, "hr", "اسم", "Name")


def test_user_unknown_department(archive):
    with archive.db.session() as session, pytest.raises(NotFound) as raised:
        service.add_user(session, "ali", "NOPE", "clerk", PASSWORD)
    assert "NOPE" in str(raised.value)


@pytest.mark.parametrize(
    ("username", "role", "password"),
    [("a", "clerk", PASSWORD), ("bad name", "clerk", PASSWORD), ("ali", "boss", PASSWORD), ("ali", "clerk", "short")],
)
def test_user_invalid_fields(people, archive, username, role, password):
    people.department("HR")
    with archive.db.session() as session, pytest.raises(service.InvalidAccountData):
        service.add_user(session, username, "HR", role, password)


def test_user_duplicate(people, archive):
    people.department("HR")
    people.user("ali", "HR")
    with archive.db.session() as session, pytest.raises(Conflict):
        service.add_user(session, "ALI", "HR", "reader", PASSWORD)


def test_authenticate_checks_password(people, archive):
    people.department("HR")
    people.user("ali", "HR")
    with archive.db.session() as session:
        assert service.authenticate(session, "ali", PASSWORD).username == "ali"
        with pytest.raises(service.AuthenticationFailed):
            service.authenticate(session, "ali", "wrong password!")
        with pytest.raises(service.AuthenticationFailed):
            service.authenticate(session, "nobody", PASSWORD)


def test_token_only_user_cannot_log_in(people, archive):
    people.department("HR")
    people.user("robot", "HR", password=None)
    with archive.db.session() as session, pytest.raises(service.AuthenticationFailed):
        service.authenticate(session, "robot", "")


def test_token_round_trip(people, archive):
    people.department("HR")
    people.user("ali", "HR")
    token = people.token("ali")
    with archive.db.session() as session:
        assert service.user_for_token(session, token).username == "ali"
        assert service.user_for_token(session, token + "x") is None


def test_session_ends(people, archive):
    people.department("HR")
    people.user("ali", "HR")
    with archive.db.session() as session:
        cookie, web_session = service.start_session(session, service.get_user(session, "ali"))
        assert web_session.csrf_token
    with archive.db.session() as session:
        assert service.find_session(session, cookie) is not None
        service.end_session(session, cookie)
    with archive.db.session() as session:
        assert service.find_session(session, cookie) is None
