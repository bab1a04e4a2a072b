from sqlalchemy import text

from archive_api.accounts.service import get_user
from archive_api.audit import service as audit


def _write_entries(archive, count):
    with archive.db.session() as session:
        user = get_user(session, "ali")
        for number in range(count):
            audit.record(session, user, "view", "document", number, {"n": number, "word": "أحمد"})


def test_chain_verifies(people, archive):
    people.department("HR")
    people.user("ali", "HR")
    _write_entries(archive, 5)
    with archive.db.session(write=False) as session:
        checked, problems = audit.verify_chain(session)
    assert checked == 5
    assert problems == []


def test_chain_links_previous_hash(people, archive):
    people.department("HR")
    people.user("ali", "HR")
    _write_entries(archive, 2)
    with archive.db.session(write=False) as session:
        first, second = session.execute(text("SELECT hash, prev_hash FROM audit_entries ORDER BY id")).all()
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash


def test_edited_entry_detected(people, archive):
    people.department("HR")
    people.user("ali", "HR")
    _write_entries(archive, 4)
    with archive.db.session() as session:
        session.execute(text("UPDATE audit_entries SET actor = 'someone' WHERE id = 2"))
    with archive.db.session(write=False) as session:
        _checked, problems = audit.verify_chain(session)
    assert [problem.entry_id for problem in problems] == [2]


def test_deleted_entry_detected(people, archive):
    people.department("HR")
    people.user("ali", "HR")
    _write_entries(archive, 4)
    with archive.db.session() as session:
        session.execute(text("DELETE FROM audit_entries WHERE id = 3"))
    with archive.db.session(write=False) as session:
        _checked, problems = audit.verify_chain(session)
    assert any(problem.entry_id == 4 and "missing" in problem.problem for problem in problems)


def test_deleted_newest_entry_detected(people, archive):
    people.department("HR")
    people.user("ali", "HR")
    _write_entries(archive, 3)
    with archive.db.session() as session:
        session.execute(text("DELETE FROM audit_entries WHERE id = 3"))
    with archive.db.session(write=False) as session:
        _checked, problems = audit.verify_chain(session)
    assert [problem.problem for problem in problems] == ["the newest entries are missing"]


def test_rolled_back_action_leaves_no_entry(people, archive):
    people.department("HR")
    people.user("ali", "HR")
    try:
        with archive.db.session() as session:
            audit.record(session, get_user(session, "ali"), "grant", "grant", 1)
            raise RuntimeError("the grant failed")
    except RuntimeError:
        pass
    with archive.db.session(write=False) as session:
        checked, problems = audit.verify_chain(session)
    assert checked == 0
    assert problems == []
