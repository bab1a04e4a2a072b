"""Closing times next to Palestine's daylight-saving changes of 2026 and 2027.

Staff type the closing time in Palestine time. Just before and just after each clock change,
an application one second before the closing instant is accepted and one at the instant is
refused. In autumn 01:00-02:00 happens twice, and a closing time in that hour means its
second occurrence (winter time), so applications are accepted through the first one.
"""

from datetime import datetime, timedelta

import pytest

from recruitment.applications.errors import ApplicationsClosed
from tests.recruitment import test_applications_fixtures as support
from tests.recruitment.test_announcements_fixtures import offset_changes
from tests.recruitment.test_applications_fixtures import announce_local, submit, window_of

gpc = support.gpc
qualified = support.qualified

# (local closing time typed by staff, the closing instant in UTC)
CLOSINGS = [
    # 2026-03-28 02:00 local (+02:00) became 03:00 (+03:00).
    ("2026-03-28 01:59", datetime(2026, 3, 27, 23, 59)),
    ("2026-03-28 03:01", datetime(2026, 3, 28, 0, 1)),
    # 2026-10-24 02:00 local (+03:00) became 01:00 (+02:00).
    ("2026-10-24 00:59", datetime(2026, 10, 23, 21, 59)),
    ("2026-10-24 01:30", datetime(2026, 10, 23, 23, 30)),
    ("2026-10-24 02:01", datetime(2026, 10, 24, 0, 1)),
    # 2027-03-27 02:00 local became 03:00.
    ("2027-03-27 01:59", datetime(2027, 3, 26, 23, 59)),
    ("2027-03-27 03:01", datetime(2027, 3, 27, 0, 1)),
    # 2027-10-30 02:00 local became 01:00.
    ("2027-10-30 00:59", datetime(2027, 10, 29, 21, 59)),
    ("2027-10-30 01:30", datetime(2027, 10, 29, 23, 30)),
    ("2027-10-30 02:01", datetime(2027, 10, 30, 0, 1)),
]


def test_transitions_as_expected():
    assert offset_changes(2026) == [datetime(2026, 3, 28, 0, 0), datetime(2026, 10, 23, 23, 0)]
    assert offset_changes(2027) == [datetime(2027, 3, 27, 0, 0), datetime(2027, 10, 29, 23, 0)]


@pytest.mark.parametrize(("typed", "instant"), CLOSINGS)
def test_closing_read_as_instant(archive, gpc, typed, instant):
    announcement_id = announce_local(archive, f"{typed[:8]}01 08:00", typed)

    assert window_of(archive, announcement_id)[1] == instant


@pytest.mark.parametrize(("typed", "instant"), CLOSINGS)
def test_second_before_accepted(archive, gpc, qualified, typed, instant):
    announcement_id = announce_local(archive, f"{typed[:8]}01 08:00", typed)

    assert submit(archive, qualified(), announcement_id, now=instant - timedelta(seconds=1))[2]


@pytest.mark.parametrize(("typed", "instant"), CLOSINGS)
def test_at_closing_refused(archive, gpc, qualified, typed, instant):
    announcement_id = announce_local(archive, f"{typed[:8]}01 08:00", typed)

    with pytest.raises(ApplicationsClosed):
        submit(archive, qualified(), announcement_id, now=instant)


def test_first_autumn_hour_accepted(archive, gpc, qualified):
    announcement_id = announce_local(archive, "2026-10-01 08:00", "2026-10-24 01:30")
    # 01:45 in summer time, the first time the clocks show 01:45 that night.
    first_pass = datetime(2026, 10, 23, 22, 45)

    assert submit(archive, qualified(), announcement_id, now=first_pass)[2]
