"""Years of experience: calendar months, end days included, overlapping and continuing jobs."""

from datetime import date

import pytest

from recruitment.applicants.experience import add_months, period_months, total_experience

TODAY = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2021, 1, 1), date(2021, 12, 31), 12),  # a calendar year, both ends included
        (date(2020, 1, 1), date(2020, 12, 31), 12),  # a leap year
        (date(2020, 9, 1), date(2023, 8, 31), 36),
        # A month from 31 January ends on 28 February, the last day it can fall on.
        (date(2022, 1, 31), date(2022, 2, 26), 0),
        (date(2022, 1, 31), date(2022, 2, 27), 1),
        (date(2025, 3, 15), None, 12),  # continuing: a year up to and including today
        (date(2026, 3, 1), date(2026, 3, 15), 0),
    ],
)
def test_period_months(start, end, months):
    assert period_months(start, end, TODAY) == months


def test_overlap_counted_once():
    periods = [(date(2019, 1, 1), date(2020, 12, 31)), (date(2020, 1, 1), date(2021, 12, 31))]

    assert total_experience(periods, TODAY).months == 36


def test_contained_job_adds_nothing():
    periods = [(date(2015, 1, 1), date(2020, 12, 31)), (date(2017, 6, 1), date(2018, 5, 31))]

    assert total_experience(periods, TODAY).months == 72


def test_consecutive_jobs_join():
    periods = [(date(2018, 1, 1), date(2018, 6, 30)), (date(2018, 7, 1), date(2018, 12, 31))]

    assert total_experience(periods, TODAY).months == 12


def test_gap_not_counted():
    periods = [(date(2018, 1, 1), date(2018, 6, 30)), (date(2019, 1, 1), date(2019, 6, 30))]

    assert total_experience(periods, TODAY).months == 12


def test_leftover_days_add_up():
    # Two stretches of 20 days each: 40 leftover days make one month.
    periods = [(date(2018, 1, 1), date(2018, 1, 20)), (date(2019, 1, 1), date(2019, 1, 20))]

    assert total_experience(periods, TODAY).months == 1


def test_future_end_stops_today():
    assert period_months(date(2025, 3, 15), date(2030, 1, 1), TODAY) == 12


def test_future_start_counts_nothing():
    assert period_months(date(2027, 1, 1), None, TODAY) == 0


def test_years_and_months():
    total = total_experience([(date(2020, 1, 1), date(2023, 5, 31))], TODAY)

    assert (total.years, total.extra_months) == (3, 5)


def test_no_jobs():
    assert total_experience([], TODAY).months == 0


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(date(2024, 1, 31), 1, date(2024, 2, 29)), (date(2023, 1, 31), 1, date(2023, 2, 28)),
     (date(2023, 11, 30), 3, date(2024, 2, 29)), (date(2023, 5, 15), 12, date(2024, 5, 15))],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected
