"""Announcement service: validation of every field, the window across Asia/Hebron clock changes,
publishing, closing, extending, listing and the audit entries."""

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from archive_api.accounts.models import User
from archive_api.audit.models import AuditEntry
from archive_api.audit.service import verify_chain
from archive_api.errors import NotFound, PermissionDenied
from archive_api.timeutil import to_local, utcnow
from recruitment.announcements.models import Announcement
from recruitment.announcements.service import (
    ALL_STATUSES,
    AnnouncementFilters,
    AnnouncementStateError,
    close,
    create_announcement,
    extend_closing,
    get_published,
    is_open,
    list_announcements,
    publish,
    update_draft,
)
from recruitment.announcements.validation import InvalidAnnouncement, InvalidAnnouncementField
from recruitment.announcements.window import (
    InvalidLocalTime,
    Occurrence,
    is_ambiguous,
    local_to_utc,
    parse_local_time,
)
from tests.recruitment import test_announcements_fixtures as support
from tests.recruitment.test_announcements_fixtures import offset_changes, stored, valid_values

gpc = support.gpc
outsiders = support.outsiders
make_announcement = support.make_announcement


def _user(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def _create(archive, username: str = "gpc.clerk", **changes) -> int:
    with archive.db.session() as session:
        return create_announcement(session, _user(session, username), valid_values(**changes)).id


def _field_errors(archive, **changes) -> dict[str, str]:
    with pytest.raises(InvalidAnnouncement) as caught:
        _create(archive, **changes)
    return {name: error.render() for name, error in caught.value.field_errors.items()}


def _actions(archive) -> list[str]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# --- the Asia/Hebron clock changes ----------------------------------------------------------------


@pytest.mark.parametrize("year", [2026, 2027])
def test_zoneinfo_two_changes_per_year(year):
    changes = offset_changes(year)

    assert len(changes) == 2
    assert to_local(changes[0]).utcoffset() == timedelta(hours=3)
    assert to_local(changes[1]).utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize("year", [2026, 2027])
def test_spring_gap_times_rejected(year):
    spring = offset_changes(year)[0]
    # The last wall-clock minute before the jump, read in winter time.
    before = (spring - timedelta(minutes=1) + timedelta(hours=2)).replace(second=0)
    skipped = [before + timedelta(minutes=1), before + timedelta(minutes=30), before + timedelta(minutes=60)]

    for local in skipped:
        with pytest.raises(InvalidLocalTime) as caught:
            parse_local_time(local.strftime("%Y-%m-%dT%H:%M"), "opening time", Occurrence.FIRST)
        assert local.strftime("%Y-%m-%d %H:%M") in caught.value.render()
        assert "daylight saving" in caught.value.render()


@pytest.mark.parametrize("year", [2026, 2027])
def test_spring_gap_edges_accepted(year):
    spring = offset_changes(year)[0]
    last_winter_minute = to_local(spring - timedelta(minutes=1)).replace(tzinfo=None)
    first_summer_minute = to_local(spring).replace(tzinfo=None)

    assert local_to_utc(last_winter_minute, Occurrence.FIRST) == spring - timedelta(minutes=1)
    assert local_to_utc(first_summer_minute, Occurrence.FIRST) == spring
    assert first_summer_minute - last_winter_minute == timedelta(hours=1, minutes=1)


@pytest.mark.parametrize("year", [2026, 2027])
def test_autumn_overlap_resolved_by_field(year):
    autumn = offset_changes(year)[1]
    repeated = to_local(autumn + timedelta(minutes=30)).replace(tzinfo=None)

    assert is_ambiguous(repeated)
    opening = parse_local_time(repeated.strftime("%Y-%m-%d %H:%M"), "opening time", Occurrence.FIRST)
    closing = parse_local_time(repeated.strftime("%Y-%m-%d %H:%M"), "closing time", Occurrence.SECOND)
    assert opening == autumn - timedelta(minutes=30)
    assert closing == autumn + timedelta(minutes=30)


def test_unambiguous_time_same_both_ways():
    local = datetime(2026, 7, 1, 9, 0)

    assert not is_ambiguous(local)
    assert local_to_utc(local, Occurrence.FIRST) == local_to_utc(local, Occurrence.SECOND) == datetime(2026, 7, 1, 6, 0)


@pytest.mark.parametrize("year", [2026, 2027])
def test_window_opening_after_spring_change(archive, make_announcement, year):
    spring = offset_changes(year)[0]
    # Opens at 03:00 local, the first minute of summer time.
    announcement_id = make_announcement(opens_at=spring, closes_at=spring + timedelta(days=3))
    announcement = stored(archive, announcement_id)

    assert to_local(announcement.opens_at).strftime("%H:%M") == "03:00"
    assert not is_open(announcement, spring - timedelta(seconds=1))
    assert is_open(announcement, spring)


@pytest.mark.parametrize("year", [2026, 2027])
def test_window_closing_across_spring_change(archive, make_announcement, year):
    spring = offset_changes(year)[0]
    # Closes at 12:00 local on the day of the change, which is 09:00 UTC in summer time.
    closing_local = to_local(spring).replace(hour=12, minute=0)
    announcement_id = make_announcement(opens_at=spring - timedelta(days=2), closes_at=spring + timedelta(hours=9))
    announcement = stored(archive, announcement_id)

    assert to_local(announcement.closes_at) == closing_local
    assert is_open(announcement, announcement.closes_at - timedelta(microseconds=1))
    assert not is_open(announcement, announcement.closes_at)


@pytest.mark.parametrize("year", [2026, 2027])
def test_window_closing_in_autumn_overlap(archive, make_announcement, year):
    autumn = offset_changes(year)[1]
    repeated = to_local(autumn + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    announcement_id = _make_with_texts(archive, make_announcement, autumn - timedelta(days=5), repeated)
    announcement = stored(archive, announcement_id)

    # The closing is the second 01:30: still open at the first one and until just before the second.
    assert announcement.closes_at == autumn + timedelta(minutes=30)
    assert is_open(announcement, autumn - timedelta(minutes=30))
    assert is_open(announcement, autumn + timedelta(minutes=29, seconds=59))
    assert not is_open(announcement, autumn + timedelta(minutes=30))


@pytest.mark.parametrize("year", [2026, 2027])
def test_window_opening_in_autumn_overlap(archive, make_announcement, year):
    autumn = offset_changes(year)[1]
    repeated = to_local(autumn + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    with archive.db.session() as session:
        clerk = _user(session, "gpc.clerk")
        values = valid_values(opens_at=repeated, closes_at=(to_local(autumn) + timedelta(days=3)).strftime(
            "%Y-%m-%dT%H:%M"))
        announcement = create_announcement(session, clerk, values)
        publish(session, clerk, announcement, now=autumn - timedelta(days=2))
        announcement_id = announcement.id
    announcement = stored(archive, announcement_id)

    # The opening is the first 01:30, one hour before the second.
    assert announcement.opens_at == autumn - timedelta(minutes=30)
    assert not is_open(announcement, autumn - timedelta(minutes=30, microseconds=1))
    assert is_open(announcement, autumn - timedelta(minutes=30))


def _make_with_texts(archive, make_announcement, opens_at: datetime, closes_text: str) -> int:
    with archive.db.session() as session:
        clerk = _user(session, "gpc.clerk")
        values = valid_values(opens_at=to_local(opens_at).strftime("%Y-%m-%dT%H:%M"), closes_at=closes_text)
        announcement = create_announcement(session, clerk, values)
        publish(session, clerk, announcement, now=opens_at - timedelta(days=1))
        return announcement.id


def test_window_length_across_changes(archive, gpc):
    spring = offset_changes(2026)[0]
    autumn = offset_changes(2026)[1]
    spring_day = to_local(spring).date()
    autumn_day = to_local(autumn).date()
    with archive.db.session() as session:
        clerk = _user(session, "gpc.clerk")
        short = create_announcement(session, clerk, valid_values(
            number="1/2026", opens_at=f"{spring_day - timedelta(days=1)} 12:00", closes_at=f"{spring_day} 12:00"))
        long = create_announcement(session, clerk, valid_values(
            number="2/2026", opens_at=f"{autumn_day - timedelta(days=1)} 12:00", closes_at=f"{autumn_day} 12:00"))

        assert short.closes_at - short.opens_at == timedelta(hours=23)
        assert long.closes_at - long.opens_at == timedelta(hours=25)


# --- validation of every field ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("number", "", "Enter the announcement number"),
        ("number", "147", "Announcement number '147' is invalid"),
        ("number", "147-2026", "Announcement number '147-2026' is invalid"),
        ("number", "147/26", "Announcement number '147/26' is invalid"),
        ("number", "147/1999", "Announcement number '147/1999' is invalid"),
        ("number", "abc/2026", "Announcement number 'abc/2026' is invalid"),
        ("title_ar", "", "Enter the Arabic title"),
        ("title_ar", "Accountant", "The Arabic title 'Accountant' has no Arabic letters"),
        ("title_ar", "م" * 301, "shorten it to 300 characters"),
        ("title_en", "A" * 301, "shorten it to 300 characters"),
        ("ministry", "", "Choose the ministry"),
        ("ministry", "NOPE", "Ministry 'NOPE' does not exist"),
        ("unit", "و" * 201, "shorten it to 200 characters"),
        ("vacancies", "", "Enter the number of vacancies"),
        ("vacancies", "three", "The number of vacancies 'three' is not a whole number"),
        ("vacancies", "2.5", "The number of vacancies '2.5' is not a whole number"),
        ("vacancies", "0", "The number of vacancies is 0; an announcement needs at least 1 vacancy"),
        ("vacancies", "-4", "The number of vacancies is -4"),
        ("vacancies", "10001", "The number of vacancies is 10001, more than 10000"),
        ("governorate", "", "Choose the governorate"),
        ("governorate", "haifa", "Governorate 'haifa' is unknown"),
        ("grade", "د" * 65, "shorten it to 64 characters"),
        ("description", "و" * 20_001, "shorten it to 20000 characters"),
        ("degree_level", "phd", "Degree level 'phd' is unknown"),
        ("majors", "\n".join(f"تخصص {n}" for n in range(51)), "There are 51 majors; list at most 50"),
        ("majors", "ت" * 201, "longer than 200 characters"),
        ("min_experience_years", "two", "The minimum years of experience 'two' is not a whole number"),
        ("min_experience_years", "-1", "The minimum years of experience is -1; enter 0 or more"),
        ("min_experience_years", "41", "The minimum years of experience is 41, more than 40"),
        ("required_documents", ["national_id", "passport"], "Document kind 'passport' is unknown"),
        ("opens_at", "", "Enter the opening time"),
        ("opens_at", "tomorrow", "The opening time 'tomorrow' is not a date and time"),
        ("opens_at", "2090-02-30 08:00", "The opening time '2090-02-30 08:00' is not a date and time"),
        ("closes_at", "", "Enter the closing time"),
        ("closes_at", "2090-05-20 25:00", "The closing time '2090-05-20 25:00' is not a date and time"),
        ("closes_at", "2090-04-30T08:00", "2090-04-30 08:00 is not after the opening time 2090-05-01 08:00"),
        ("closes_at", "2090-05-01T08:00", "2090-05-01 08:00 is not after the opening time 2090-05-01 08:00"),
    ],
)
def test_field_rejects_bad_value(archive, gpc, field, value, expected):
    errors = _field_errors(archive, **{field: value})

    assert list(errors) == [field]
    assert expected in errors[field]


def test_every_bad_field_reported(archive, gpc):
    errors = _field_errors(archive, number="", title_ar="", vacancies="0", governorate="x", closes_at="")

    assert set(errors) == {"number", "title_ar", "vacancies", "governorate", "closes_at"}


def test_duplicate_number_rejected(archive, gpc):
    _create(archive, number="147/2026")

    errors = _field_errors(archive, number="147/2026")

    assert "Announcement number 147/2026 is already used" in errors["number"]


def test_number_leading_zeros_duplicate(archive, gpc):
    _create(archive, number="147/2026")

    errors = _field_errors(archive, number="0147/2026")

    assert "147/2026 is already used" in errors["number"]


def test_arabic_digits_accepted(archive, gpc):
    announcement_id = _create(archive, number="١٤٧/٢٠٢٦", vacancies="١٢", opens_at="٢٠٩٠-٠٥-٠١ ٠٨:٠٠")
    announcement = stored(archive, announcement_id)

    assert announcement.number == "147/2026"
    assert announcement.vacancies == 12
    assert to_local(announcement.opens_at).strftime("%Y-%m-%d %H:%M") == "2090-05-01 08:00"


def test_lists_stored_as_json(archive, gpc):
    announcement_id = _create(
        archive, majors="المحاسبة، الاقتصاد\nالمحاسبة", required_documents=["photo", "national_id"],
        degree_level="", min_experience_years=""
    )
    announcement = stored(archive, announcement_id)

    assert json.loads(announcement.majors) == ["المحاسبة", "الاقتصاد"]
    assert json.loads(announcement.required_documents) == ["national_id", "photo"]
    assert announcement.degree_level is None
    assert announcement.min_experience_years == 0


def test_times_stored_as_naive_utc(archive, gpc):
    announcement = stored(archive, _create(archive, opens_at="2090-07-01T08:00", closes_at="2090-12-01T08:00"))

    assert announcement.opens_at == datetime(2090, 7, 1, 5, 0)
    assert announcement.closes_at == datetime(2090, 12, 1, 6, 0)
    assert announcement.opens_at.tzinfo is None


# --- permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["gpc.reader", "hr.admin", "hr.clerk"])
def test_create_refused_for_non_editors(archive, gpc, outsiders, username):
    with pytest.raises(PermissionDenied):
        _create(archive, username=username)


def test_create_allowed_for_admin(archive, gpc):
    assert _create(archive, username="gpc.admin") > 0


# --- publishing, editing, closing, extending ------------------------------------------------------


def test_publish_rejects_past_window(archive, gpc):
    announcement_id = _create(archive, opens_at="2020-01-01 08:00", closes_at="2020-02-01 08:00")

    with archive.db.session() as session, pytest.raises(InvalidAnnouncementField) as caught:
        publish(session, _user(session, "gpc.clerk"), _get(session, announcement_id))

    assert "2020-02-01 08:00, which has passed" in caught.value.render()


def _get(session, announcement_id: int) -> Announcement:
    return session.get(Announcement, announcement_id)


def test_publish_twice_rejected(archive, make_announcement):
    announcement_id = make_announcement()

    with archive.db.session() as session, pytest.raises(AnnouncementStateError):
        publish(session, _user(session, "gpc.clerk"), _get(session, announcement_id))


def test_edit_after_publish_rejected(archive, make_announcement):
    announcement_id = make_announcement()

    with archive.db.session() as session, pytest.raises(AnnouncementStateError) as caught:
        update_draft(session, _user(session, "gpc.clerk"), _get(session, announcement_id), valid_values())

    assert "only its closing time can be extended" in caught.value.render()


def test_edit_draft_records_changes(archive, gpc):
    announcement_id = _create(archive)

    with archive.db.session() as session:
        changed = update_draft(session, _user(session, "gpc.clerk"), _get(session, announcement_id),
                               valid_values(vacancies="5", title_en=""))

    assert changed == ["title_en", "vacancies"]
    assert stored(archive, announcement_id).vacancies == 5
    with archive.db.session(write=False) as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "announcement_edit"))
    assert json.loads(entry.details)["changed"] == ["title_en", "vacancies"]


def test_edit_keeps_own_number(archive, gpc):
    announcement_id = _create(archive, number="9/2026")

    with archive.db.session() as session:
        update_draft(session, _user(session, "gpc.clerk"), _get(session, announcement_id),
                     valid_values(number="9/2026", grade="الخامسة"))

    assert stored(archive, announcement_id).grade == "الخامسة"


def test_extend_moves_closing_later(archive, make_announcement):
    announcement_id = make_announcement(closes_at=datetime(2090, 5, 20, 11, 0))

    with archive.db.session() as session:
        extend_closing(session, _user(session, "gpc.clerk"), _get(session, announcement_id), "2090-05-27 14:00")

    assert stored(archive, announcement_id).closes_at == datetime(2090, 5, 27, 11, 0)
    with archive.db.session(write=False) as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "announcement_extend"))
    assert json.loads(entry.details) == {"number": "147/2026", "from": "2090-05-20T11:00:00",
                                         "to": "2090-05-27T11:00:00"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2090-05-20 14:00", "is not after the current one, 2090-05-20 14:00"),
        ("2090-05-19 14:00", "is not after the current one"),
        ("", "Enter the new closing time"),
        ("next week", "The new closing time 'next week' is not a date and time"),
    ],
)
def test_extend_rejects_bad_time(archive, make_announcement, text, expected):
    announcement_id = make_announcement(closes_at=datetime(2090, 5, 20, 11, 0))

    with archive.db.session() as session, pytest.raises((InvalidLocalTime, InvalidAnnouncementField)) as caught:
        extend_closing(session, _user(session, "gpc.clerk"), _get(session, announcement_id), text)

    assert expected in caught.value.render()


def test_extend_rejects_past_time(archive, make_announcement):
    announcement_id = make_announcement(
        opens_at=datetime(2020, 1, 1, 6, 0), closes_at=datetime(2020, 2, 1, 6, 0)
    )

    with archive.db.session() as session, pytest.raises(InvalidAnnouncementField) as caught:
        extend_closing(session, _user(session, "gpc.clerk"), _get(session, announcement_id), "2020-03-01 08:00")

    assert "has already passed" in caught.value.render()


def test_extend_draft_rejected(archive, gpc):
    announcement_id = _create(archive)

    with archive.db.session() as session, pytest.raises(AnnouncementStateError):
        extend_closing(session, _user(session, "gpc.clerk"), _get(session, announcement_id), "2090-06-01 08:00")


def test_closed_cannot_extend_or_close(archive, make_announcement):
    announcement_id = make_announcement(state="closed")

    with archive.db.session() as session:
        clerk = _user(session, "gpc.clerk")
        announcement = _get(session, announcement_id)
        with pytest.raises(AnnouncementStateError):
            extend_closing(session, clerk, announcement, "2090-06-01 08:00")
        with pytest.raises(AnnouncementStateError):
            close(session, clerk, announcement)


def test_close_ends_window_at_once(archive, make_announcement):
    announcement_id = make_announcement(state="closed")
    announcement = stored(archive, announcement_id)

    assert announcement.status == "closed"
    assert not is_open(announcement, announcement.opens_at + timedelta(hours=1))


def test_every_change_audited(archive, make_announcement):
    announcement_id = make_announcement(state="draft", closes_at=datetime(2090, 5, 20, 11, 0))
    with archive.db.session() as session:
        clerk = _user(session, "gpc.clerk")
        announcement = _get(session, announcement_id)
        update_draft(session, clerk, announcement, valid_values(closes_at="2090-05-20 14:00"))
        publish(session, clerk, announcement)
        extend_closing(session, clerk, announcement, "2090-05-25 14:00")
        close(session, clerk, announcement)

    assert _actions(archive) == ["announcement_create", "announcement_edit", "announcement_publish",
                                 "announcement_extend", "announcement_close"]
    with archive.db.session(write=False) as session:
        assert verify_chain(session)[1] == []


# --- reading and listing -----------------------------------------------------------------------------


def test_get_published_hides_drafts(archive, make_announcement):
    draft_id = make_announcement(state="draft")

    with archive.db.session() as session, pytest.raises(NotFound):
        get_published(session, draft_id)


def test_get_published_returns_closed(archive, make_announcement):
    closed_id = make_announcement(state="closed")

    with archive.db.session() as session:
        assert get_published(session, closed_id).id == closed_id


def test_is_open_edges(archive, make_announcement):
    announcement = stored(archive, make_announcement(
        opens_at=datetime(2090, 5, 1, 5, 0), closes_at=datetime(2090, 5, 20, 11, 0)))

    assert not is_open(announcement, datetime(2090, 5, 1, 4, 59, 59))
    assert is_open(announcement, datetime(2090, 5, 1, 5, 0))
    assert is_open(announcement, datetime(2090, 5, 20, 10, 59, 59))
    assert not is_open(announcement, datetime(2090, 5, 20, 11, 0))


def test_draft_never_open(archive, make_announcement):
    announcement = stored(archive, make_announcement(state="draft"))

    assert not is_open(announcement, announcement.opens_at + timedelta(minutes=1))


def _numbers(archive, filters: AnnouncementFilters, **kwargs) -> list[str]:
    with archive.db.session(write=False) as session:
        return [item.number for item in list_announcements(session, filters, **kwargs).items]


def test_listing_filters(archive, make_announcement):
    now = utcnow()
    make_announcement(number="1/2026", title_ar="مهندس مدني", governorate="gaza", degree_level="bachelor")
    make_announcement(number="2/2026", title_ar="سائق", governorate="hebron", degree_level="secondary")
    make_announcement(number="3/2026", title_ar="طبيب عام", governorate="hebron", degree_level="doctorate",
                      description="العمل في المراكز الصحية الأولية")
    make_announcement(number="4/2026", state="draft", title_ar="مسودة")
    make_announcement(number="5/2026", state="closed", title_ar="مهندسة كهرباء")

    assert sorted(_numbers(archive, AnnouncementFilters())) == ["1/2026", "2/2026", "3/2026", "5/2026"]
    assert _numbers(archive, AnnouncementFilters(governorate="hebron")) == ["3/2026", "2/2026"]
    assert sorted(_numbers(archive, AnnouncementFilters(degree_level="bachelor"))) == ["1/2026", "2/2026", "5/2026"]
    assert sorted(_numbers(archive, AnnouncementFilters(degree_level="secondary"))) == ["2/2026"]
    assert sorted(_numbers(archive, AnnouncementFilters(query="المهندس"))) == ["1/2026", "5/2026"]
    assert _numbers(archive, AnnouncementFilters(query="الصحيه")) == ["3/2026"]
    assert _numbers(archive, AnnouncementFilters(query="مهندس غزة")) == ["1/2026"]
    assert _numbers(archive, AnnouncementFilters(query="مهندس الخليل")) == []
    assert "5/2026" not in _numbers(archive, AnnouncementFilters(open_at=now))
    assert sorted(_numbers(archive, AnnouncementFilters(statuses=ALL_STATUSES))) == [
        "1/2026", "2/2026", "3/2026", "4/2026", "5/2026"]


def test_listing_pages(archive, make_announcement):
    for sequence in range(1, 6):
        make_announcement(number=f"{sequence}/2026")

    with archive.db.session(write=False) as session:
        first = list_announcements(session, AnnouncementFilters(), page=1, per_page=2)
        last = list_announcements(session, AnnouncementFilters(), page=3, per_page=2)

    assert first.total == 5
    assert first.page_count == 3
    assert len(first.items) == 2
    assert len(last.items) == 1
