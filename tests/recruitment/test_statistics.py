"""Yearly figures: the CSV import command with good and bad files, live counts, the merged series,
the chart geometry and the staff statistics page."""

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from archive_api.accounts.models import User
from archive_api.audit.models import AuditEntry
from archive_api.timeutil import to_local, utcnow
from recruitment.announcements.service import create_announcement, publish
from recruitment.applicants.models import Applicant
from recruitment.applications.models import Application
from recruitment.statistics.charts import bar_chart, grid_step
from recruitment.statistics.models import YearlyFigures
from recruitment.statistics.service import year_bounds, yearly_series
from tests.recruitment import test_announcements_fixtures as support
from tests.recruitment.test_announcements_fixtures import valid_values
from tests.web import conftest as web

app = web.app
new_client = web.new_client
gpc = support.gpc
outsiders = support.outsiders
sign_in = support.sign_in

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "recruitment-statistics.csv"
HEADER = "year,applications,applicants,vacancies,announcements"
# The council's published figures: applications, distinct applicants, vacancies, announcements.
COUNCIL_FIGURES = {
    2017: (84_407, 53_291, 227, 70),
    2018: (143_869, 66_342, 593, 173),
    2019: (59_121, 56_598, 107, 10),
    2020: (86_324, 67_611, 231, 38),
    2021: (157_256, 70_493, 554, 157),
    2022: (94_890, 70_056, 334, 91),
}


def _stored(archive) -> dict[int, tuple[int, int, int, int]]:
    with archive.db.session(write=False) as session:
        return {
            row.year: (row.applications, row.applicants, row.vacancies, row.announcements)
            for row in session.scalars(select(YearlyFigures))
        }


def _write(tmp_path: Path, text: str, name: str = "figures.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- import command -------------------------------------------------------------------------------


def test_import_council_series(run_cli, archive):
    result = run_cli("recruitment", "import-statistics", str(SAMPLE))

    assert result.exit_code == 0, result.output
    assert _stored(archive) == COUNCIL_FIGURES
    assert result.output.splitlines()[0] == "2017\tadded\t84407\t53291\t227\t70"
    assert len(result.output.splitlines()) == 6


def test_import_replaces_year(run_cli, archive, tmp_path):
    run_cli("recruitment", "import-statistics", str(SAMPLE))
    corrected = _write(tmp_path, f"{HEADER}\n2019,59200,56600,108,11\n")

    result = run_cli("recruitment", "import-statistics", str(corrected), "--source", "council letter 12/2023")

    assert result.exit_code == 0, result.output
    assert result.output == "2019\treplaced\t59200\t56600\t108\t11\n"
    assert _stored(archive)[2019] == (59_200, 56_600, 108, 11)
    assert _stored(archive)[2018] == COUNCIL_FIGURES[2018]
    with archive.db.session(write=False) as session:
        assert session.get(YearlyFigures, 2019).source == "council letter 12/2023"
        assert session.get(YearlyFigures, 2018).source == "recruitment-statistics.csv"


def test_import_audited(run_cli, archive):
    run_cli("recruitment", "import-statistics", str(SAMPLE))

    with archive.db.session(write=False) as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "statistics_import"))
    assert entry.actor == "cli"
    assert '"years":[2017,2018,2019,2020,2021,2022]' in entry.details


def test_import_columns_any_order_and_bom(run_cli, archive, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffannouncements,vacancies,applicants,applications,year\r\n70,227,53291,84407,2017\r\n\r\n"
                     .encode())

    result = run_cli("recruitment", "import-statistics", str(path))

    assert result.exit_code == 0, result.output
    assert _stored(archive) == {2017: COUNCIL_FIGURES[2017]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "figures.csv is empty; it needs the header year,applications,applicants,vacancies,announcements"),
        (f"{HEADER}\n", "figures.csv has a header but no rows"),
        ("year,applications,applicants,vacancies\n2017,1,1,1\n",
         "line 1: column announcements is missing"),
        (f"{HEADER},notes\n2017,1,1,1,1,x\n", "line 1, column 6: 'notes' is not a known column"),
        ("year,year,applications,applicants,vacancies,announcements\n", "line 1: column year appears twice"),
        (f"{HEADER}\n2017,84407,53291,227\n", "line 2: 4 values for 5 columns"),
        (f"{HEADER}\n2017,84407,53291,227,70,1\n", "line 2: 6 values for 5 columns"),
        (f"{HEADER}\n2017,,53291,227,70\n", "line 2, column applications: the value is empty"),
        (f'{HEADER}\n2017,"84,407",53291,227,70\n', "line 2, column applications: '84,407' is not a whole number"),
        (f"{HEADER}\n2017,84407,-5,227,70\n", "line 2, column applicants: '-5' is not a whole number"),
        (f"{HEADER}\n2017,84407.5,53291,227,70\n", "line 2, column applications: '84407.5' is not a whole number"),
        (f"{HEADER}\n٢٠١٧,84407,53291,227,70\n", "line 2, column year: '٢٠١٧' is not a whole number"),
        (f"{HEADER}\n1999,84407,53291,227,70\n", "line 2, column year: 1999 is outside 2000 to"),
        (f"{HEADER}\n2999,84407,53291,227,70\n", "line 2, column year: 2999 is outside 2000 to"),
        (f"{HEADER}\n2017,84407,53291,227,70\n2017,1,1,1,1\n",
         "line 3, column year: 2017 already appears on line 2"),
        (f"{HEADER}\n2017,53291,84407,227,70\n",
         "line 2, column applicants: 84407 distinct applicants is more than 53291 applications"),
        (f"{HEADER}\n2017,84407,53291,70,227\n",
         "line 2, column vacancies: 70 vacancies is fewer than 227 announcements"),
    ],
)
def test_import_rejects_bad_file(run_cli, archive, tmp_path, text, expected):
    path = _write(tmp_path, text)

    result = run_cli("recruitment", "import-statistics", str(path))

    assert result.exit_code == 2
    assert expected in result.output
    assert _stored(archive) == {}


def test_import_checks_whole_file_first(run_cli, archive, tmp_path):
    path = _write(tmp_path, f"{HEADER}\n2017,84407,53291,227,70\n2018,143869,x,593,173\n2019,5,1,1,\n")

    result = run_cli("recruitment", "import-statistics", str(path))

    assert result.exit_code == 2
    assert "has 2 problems, so nothing was imported" in result.output
    assert "line 3, column applicants: 'x' is not a whole number" in result.output
    assert "line 4, column announcements: the value is empty" in result.output
    assert _stored(archive) == {}


def test_import_rejects_non_utf8(run_cli, archive, tmp_path):
    path = tmp_path / "figures.csv"
    path.write_bytes(f"{HEADER}\n2017,1,1,1,1\n".encode() + "سنة".encode("cp1256"))

    result = run_cli("recruitment", "import-statistics", str(path))

    assert result.exit_code == 2
    assert "figures.csv is not UTF-8 text" in result.output


def test_import_rejects_missing_file(run_cli, archive, tmp_path):
    result = run_cli("recruitment", "import-statistics", str(tmp_path / "absent.csv"))

    assert result.exit_code == 2
    assert "absent.csv cannot be read" in result.output


# --- live counts and the merged series ----------------------------------------------------------


def test_year_bounds_in_local_time():
    start, end = year_bounds(2026)

    assert start == datetime(2025, 12, 31, 22, 0)
    assert end == datetime(2026, 12, 31, 22, 0)


def _applicant(session, number: int) -> Applicant:
    applicant = Applicant(national_id=f"{number:09d}", full_name=f"متقدم {number}", birth_date=date(1995, 1, 1),
                          mobile=f"+97059{number:07d}", password_hash="x")
    session.add(applicant)
    session.flush()
    return applicant


def test_live_counts_this_year(archive, gpc):
    now = utcnow()
    this_year = to_local(now).year
    with archive.db.session() as session:
        clerk = session.scalar(select(User).where(User.username == "gpc.clerk"))
        announcements = []
        for number, vacancies in (("1/2026", "4"), ("2/2026", "6")):
            values = valid_values(number=number, vacancies=vacancies, opens_at=support.local_text(now),
                                  closes_at=support.local_text(now + timedelta(days=5)))
            announcement = create_announcement(session, clerk, values)
            publish(session, clerk, announcement, now=now)
            announcements.append(announcement)
        create_announcement(session, clerk, valid_values(number="3/2026", vacancies="50"))
        first, second = _applicant(session, 1), _applicant(session, 2)
        rows = [(announcements[0], first, "submitted"), (announcements[1], first, "submitted"),
                (announcements[0], second, "submitted"), (announcements[1], second, "withdrawn")]
        for sequence, (announcement, applicant, status) in enumerate(rows, start=1):
            session.add(Application(number=f"{this_year}-1-{sequence:05d}", announcement_id=announcement.id,
                                    applicant_id=applicant.id, status=status, snapshot="{}", submitted_at=now))

    with archive.db.session(write=False) as session:
        series = yearly_series(session)

    assert [row.year for row in series] == [this_year]
    assert series[0].announcements == 2
    assert series[0].vacancies == 10
    assert series[0].applications == 3
    assert series[0].applicants == 2
    assert series[0].source == "counted"


def test_imported_year_replaces_count(run_cli, archive, gpc, tmp_path):
    now = utcnow()
    this_year = to_local(now).year
    with archive.db.session() as session:
        clerk = session.scalar(select(User).where(User.username == "gpc.clerk"))
        announcement = create_announcement(session, clerk, valid_values(
            opens_at=support.local_text(now), closes_at=support.local_text(now + timedelta(days=5))))
        publish(session, clerk, announcement, now=now)
    run_cli("recruitment", "import-statistics", str(_write(tmp_path, f"{HEADER}\n{this_year},900,800,70,60\n")))
    run_cli("recruitment", "import-statistics", str(SAMPLE))

    with archive.db.session(write=False) as session:
        series = yearly_series(session)

    assert [row.year for row in series] == [2017, 2018, 2019, 2020, 2021, 2022, this_year]
    assert (series[-1].applications, series[-1].announcements, series[-1].source) == (900, 60, "imported")


# --- chart geometry --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "step"),
    [(0, 1), (3, 1), (10, 5), (70, 20), (173, 50), (593, 200), (157_256, 50_000), (143_869, 50_000),
     (100_000, 25_000)],
)
def test_grid_step_round(value, step):
    assert grid_step(value) == step
    assert grid_step(value) * 4 >= value


def test_bars_follow_reading_direction():
    points = [("2017", 84_407), ("2018", 143_869), ("2019", 59_121)]

    rtl = bar_chart(points, rtl=True, format_number=str)
    ltr = bar_chart(points, rtl=False, format_number=str)

    assert rtl.bars[0].x > rtl.bars[1].x > rtl.bars[2].x
    assert ltr.bars[0].x < ltr.bars[1].x < ltr.bars[2].x
    assert rtl.axis_label_x > rtl.bars[0].x
    assert ltr.axis_label_x < ltr.bars[0].x


def test_bar_heights_proportional():
    chart = bar_chart([("2018", 143_869), ("2019", 59_121)], rtl=False, format_number=str)

    assert chart.bars[0].height / chart.bars[1].height == pytest.approx(143_869 / 59_121, rel=0.01)
    assert chart.bars[0].y + chart.bars[0].height == pytest.approx(chart.baseline)
    assert chart.grid[-1].text == "200000"


# --- the page -------------------------------------------------------------------------------------


def test_page_sends_visitors_to_sign_in(new_client, gpc):
    response = new_client().get("/recruitment/statistics", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/recruitment/statistics"


def test_page_refuses_other_departments(sign_in, outsiders, gpc):
    assert sign_in("hr.clerk").get("/recruitment/statistics").status_code == 403


def test_page_without_figures(sign_in, gpc):
    page = sign_in("gpc.reader").get("/recruitment/statistics").text

    assert "<svg" not in page
    assert "diwan recruitment import-statistics" in page


def test_page_charts_and_tables(sign_in, run_cli, gpc):
    run_cli("recruitment", "import-statistics", str(SAMPLE))

    page = sign_in("gpc.reader").get("/recruitment/statistics").text

    assert page.count('role="img"') == 4
    assert page.count("<desc id=") == 4
    assert page.count('class="records compact chart-table"') == 4
    assert page.count("<rect ") == 4 * 6
    assert "84,407" in page
    assert "157,256" in page
    for metric in ("applications", "applicants", "vacancies", "announcements"):
        assert f'aria-labelledby="chart-{metric}-title chart-{metric}-desc"' in page


def test_page_bars_right_to_left(sign_in, run_cli, gpc):
    run_cli("recruitment", "import-statistics", str(SAMPLE))
    browser = sign_in("gpc.reader")

    arabic_page = browser.get("/recruitment/statistics").text
    browser.http.cookies.set("diwan_lang", "en")
    english_page = browser.get("/recruitment/statistics").text

    def first_chart_bar_positions(page: str) -> list[float]:
        chart = page.split('id="chart-applications-title"')[1].split("</svg>")[0]
        return [float(x) for x in re.findall(r'<rect x="([\d.]+)"', chart)]

    arabic_positions = first_chart_bar_positions(arabic_page)
    english_positions = first_chart_bar_positions(english_page)
    assert arabic_positions == sorted(arabic_positions, reverse=True)
    assert english_positions == sorted(english_positions)


def test_year_without_figures_keeps_slot():
    chart = bar_chart([("2022", 94_890), ("2023", None), ("2024", 1_000)], rtl=True, format_number=str)

    assert [bar.label for bar in chart.bars] == ["2022", "2023", "2024"]
    assert chart.bars[1].value_text == "—"
    assert chart.bars[1].height == 0
    assert chart.bars[0].x - chart.bars[1].x == pytest.approx(chart.bars[1].x - chart.bars[2].x)
