"""The recruitment office's application pages: filters, pages, detail, CSV and XLSX export, audit, access."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from archive_api.audit.models import AuditEntry
from recruitment.announcements.labels import DOCUMENT_KIND_NAMES
from recruitment.applications.export import csv_bytes
from recruitment.applications.models import Application
from recruitment.applications.service import linked_versions
from tests.recruitment import test_applications_fixtures as support
from tests.recruitment.test_applications_fixtures import submit, withdraw
from tests.web.pages import arabic, translated
from web.recruitment import staff_applications

app = support.app
applicant_browser = support.applicant_browser
client = support.client
fresh_throttles = support.fresh_throttles
gpc = support.gpc
job = support.job
make_announcement = support.make_announcement
make_applicant = support.make_applicant
new_client = support.new_client
outsiders = support.outsiders
qualified = support.qualified
sign_in = support.sign_in

LIST = "/recruitment/applications"
MASTER = ({"degree_level": "master", "major": "المحاسبة", "institution": "جامعة النجاح",
           "graduation_year": "2020", "grade": ""},)


@pytest.fixture
def field(archive, make_announcement, qualified):
    """Three applications: two to 147/2026 in Ramallah (one withdrawn, one master), one to 148/2026 in Gaza.

    Returns {name: (application id, number, national ID)}.
    """
    ramallah = make_announcement()
    gaza = make_announcement(number="148/2026", governorate="gaza")
    people = {
        "ahmad": (qualified(full_name="أحمد سمير يوسف"), ramallah),
        "huda": (qualified(full_name="هدى خليل عودة", education=MASTER), ramallah),
        "omar": (qualified(full_name="عمر فارس حداد"), gaza),
    }
    found = {}
    for name, (national_id, announcement_id) in people.items():
        application_id, number, _created = submit(archive, national_id, announcement_id)
        found[name] = (application_id, number, national_id)

    withdraw(archive, people["ahmad"][0], found["ahmad"][0])
    return found


@pytest.fixture
def staff(sign_in, gpc):
    return sign_in("gpc.reader")


def _audit(archive, action: str) -> list[AuditEntry]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _numbers(page_text: str, field: dict) -> list[str]:
    return sorted(name for name, (_id, number, _national_id) in field.items() if number in page_text)


# --- the list --------------------------------------------------------------------------------------


def test_list_shows_all(staff, field):
    page = staff.get(LIST)

    assert page.status_code == 200
    assert _numbers(page.text, field) == ["ahmad", "huda", "omar"]
    assert "هدى خليل عودة" in page.text
    assert arabic("Applications: %(total)d", total=3) in page.text


@pytest.mark.parametrize(("query", "expected"), [
    ("status=withdrawn", ["ahmad"]),
    ("status=submitted", ["huda", "omar"]),
    ("governorate=gaza", ["omar"]),
    ("degree=master", ["huda"]),
    ("degree=bachelor", ["ahmad", "omar"]),
    ("q=احمد", ["ahmad"]),
    ("q=هدي", ["huda"]),
    ("q=عمر حداد", ["omar"]),
    ("q=2026-148", ["omar"]),
])
def test_list_filters(staff, field, query, expected):
    page = staff.get(f"{LIST}?{query}")

    assert page.status_code == 200
    assert _numbers(page.text, field) == expected


def test_filter_by_announcement(staff, field, archive):
    with archive.db.session(write=False) as session:
        announcement_id = session.get(Application, field["omar"][0]).announcement_id

    page = staff.get(f"{LIST}?announcement={announcement_id}")

    assert _numbers(page.text, field) == ["omar"]


def test_search_national_id(staff, field):
    national_id = field["huda"][2]

    page = staff.get(f"{LIST}?q={national_id}")

    assert _numbers(page.text, field) == ["huda"]


def test_search_arabic_digits(staff, field):
    arabic_digits = field["omar"][1].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))

    page = staff.get(f"{LIST}?q={arabic_digits}")

    assert _numbers(page.text, field) == ["omar"]


@pytest.mark.parametrize(("query", "name", "msgid", "params"), [
    ("status=lost", "status", "Status %(value)r is unknown; choose one from the list.", {"value": "lost"}),
    ("governorate=paris", "governorate", "Governorate %(value)r is unknown; choose one from the list.",
     {"value": "paris"}),
    ("degree=phd", "degree", "Degree level %(value)r is unknown; choose one from the list.", {"value": "phd"}),
    ("announcement=abc", "announcement", "Announcement %(value)r does not exist; choose one from the list.",
     {"value": "abc"}),
    ("announcement=99999", "announcement", "Announcement %(value)r does not exist; choose one from the list.",
     {"value": "99999"}),
    ("page=-1", "page", "The page number %(value)r is invalid; use 1 or more.", {"value": "-1"}),
    ("q=" + "ا" * 101, "q", "The search has %(length)d characters; use at most %(maximum)d.",
     {"length": 101, "maximum": 100}),
])
def test_bad_filter_explained(staff, field, archive, query, name, msgid, params):
    page = staff.get(f"{LIST}?{query}")

    assert page.status_code == 422
    assert arabic(msgid, **params) in page.text
    assert _numbers(page.text, field) == []
    assert _audit(archive, "applications_list") == []


def test_list_pages(staff, field, monkeypatch):
    monkeypatch.setattr(staff_applications, "PER_PAGE", 2)

    first = staff.get(LIST)
    second = staff.get(f"{LIST}?page=2")

    assert len(_numbers(first.text, field)) == 2
    assert _numbers(second.text, field) == ["ahmad"]
    assert 'href="/recruitment/applications?page=2"' in first.text


def test_page_links_keep_filters(staff, field, monkeypatch):
    monkeypatch.setattr(staff_applications, "PER_PAGE", 1)

    page = staff.get(f"{LIST}?governorate=ramallah")

    assert 'href="/recruitment/applications?governorate=ramallah&amp;page=2"' in page.text
    assert 'href="/recruitment/applications/export.csv?governorate=ramallah"' in page.text


def test_list_audited(staff, field, archive):
    staff.get(f"{LIST}?governorate=ramallah&q=هدى")

    entries = _audit(archive, "applications_list")
    details = json.loads(entries[0].details)
    assert len(entries) == 1
    assert entries[0].actor == "gpc.reader"
    assert details["governorate"] == "ramallah"
    assert details["total"] == 1


# --- one application -----------------------------------------------------------------------------


def test_detail_shows_snapshot(staff, field):
    application_id, number, national_id = field["huda"]

    page = staff.get(f"{LIST}/{application_id}")

    assert page.status_code == 200
    assert number in page.text
    assert national_id in page.text
    assert "جامعة النجاح" in page.text
    assert "0599 123 456" in page.text


def test_detail_links_archive_records(staff, field, archive):
    application_id = field["huda"][0]
    with archive.db.session(write=False) as session:
        records = [version.document_id for version in linked_versions(session, application_id)]

    page = staff.get(f"{LIST}/{application_id}")

    for record_id in records:
        assert f'href="/documents/{record_id}"' in page.text
        assert f'src="/api/v1/documents/{record_id}/pages/1/thumbnail"' in page.text


def test_detail_record_readable(staff, field, archive):
    application_id = field["huda"][0]
    with archive.db.session(write=False) as session:
        record_id = linked_versions(session, application_id)[0].document_id

    page = staff.get(f"/documents/{record_id}")

    assert page.status_code == 200


def test_record_shows_kind_name(staff, field, archive):
    application_id = field["huda"][0]
    with archive.db.session(write=False) as session:
        version = linked_versions(session, application_id)[0]
        record_id, kind = version.document_id, version.applicant_document.kind

    page = staff.get(f"/documents/{record_id}")

    assert arabic(DOCUMENT_KIND_NAMES[kind]) in page.text


def test_detail_audited(staff, field, archive):
    application_id = field["omar"][0]

    staff.get(f"{LIST}/{application_id}")

    entries = _audit(archive, "application_view")
    assert [entry.target_id for entry in entries] == [str(application_id)]


def test_detail_unknown_not_found(staff, field, archive):
    page = staff.get(f"{LIST}/99999")

    assert page.status_code == 404
    assert _audit(archive, "application_view") == []


# --- export ----------------------------------------------------------------------------------------


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_has_bom(staff, field):
    response = staff.get(f"{LIST}/export.csv")

    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment;")


def test_csv_rows_arabic(staff, field):
    rows = _csv_rows(staff.get(f"{LIST}/export.csv").content)

    header, body = rows[0], rows[1:]
    assert header[0] == translated("Application number")
    assert len(body) == 3
    assert sorted(row[header.index(translated("Full name"))] for row in body) == sorted(
        ["أحمد سمير يوسف", "هدى خليل عودة", "عمر فارس حداد"])


def test_csv_follows_filters(staff, field):
    rows = _csv_rows(staff.get(f"{LIST}/export.csv?degree=master").content)

    assert [row[0] for row in rows[1:]] == [field["huda"][1]]


def test_csv_national_id_text(staff, field):
    rows = _csv_rows(staff.get(f"{LIST}/export.csv?q={field['huda'][2]}").content)

    header = rows[0]
    assert rows[1][header.index(translated("National ID number"))] == field["huda"][2]


def test_csv_formula_neutralised():
    header = ["a"] * 14
    row = {key: "x" for key in ("number", "status", "submitted_at", "announcement", "job_title", "governorate",
                                "full_name", "national_id", "birth_date", "mobile", "degree_level", "experience_years",
                                "documents")}
    row["majors"] = "=HYPERLINK(\"http://example.invalid\")"

    rows = _csv_rows(csv_bytes(header, [row]))

    assert rows[1][11] == "'=HYPERLINK(\"http://example.invalid\")"


def test_xlsx_cells_text(staff, field):
    response = staff.get(f"{LIST}/export.xlsx?q={field['huda'][2]}")

    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    national_id = sheet.cell(row=2, column=header.index(translated("National ID number")) + 1)
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert national_id.value == field["huda"][2]
    assert national_id.data_type == "s"
    assert national_id.number_format == "@"
    assert sheet.sheet_view.rightToLeft


def test_xlsx_formula_stays_text(staff, archive, make_announcement, qualified):
    announcement_id = make_announcement(majors="")
    tricky = ({"degree_level": "bachelor", "major": "=1+2", "institution": "جامعة الخليل",
               "graduation_year": "2018", "grade": ""},)
    submit(archive, qualified(education=tricky), announcement_id)

    response = staff.get(f"{LIST}/export.xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    majors = sheet.cell(row=2, column=header.index(translated("Majors")) + 1)
    assert majors.value == "=1+2"
    assert majors.data_type == "s"


def test_export_audited(staff, field, archive):
    staff.get(f"{LIST}/export.csv?status=submitted")
    staff.get(f"{LIST}/export.xlsx")

    entries = _audit(archive, "applications_export")
    details = [json.loads(entry.details) for entry in entries]
    assert [(item["format"], item["rows"]) for item in details] == [("csv", 2), ("xlsx", 3)]
    assert details[0]["status"] == "submitted"


def test_export_unknown_format(staff, field):
    response = staff.get(f"{LIST}/export.pdf")

    assert response.status_code == 404


def test_export_bad_filter(staff, field, archive):
    response = staff.get(f"{LIST}/export.csv?status=lost")

    assert response.status_code == 422
    assert _audit(archive, "applications_export") == []


# --- who may see them ------------------------------------------------------------------------------

STAFF_PATHS = (LIST, LIST + "/{id}", LIST + "/export.csv", LIST + "/export.xlsx")


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_logged_out_sent_to_login(client, field, path):
    response = client.get(path.format(id=field["omar"][0]), follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_other_department_forbidden(sign_in, outsiders, field, archive, path):
    outsider = sign_in("hr.clerk")

    response = outsider.get(path.format(id=field["omar"][0]))

    assert response.status_code == 403
    assert field["omar"][1] not in response.text
    assert _audit(archive, "application_view") == []
    assert _audit(archive, "applications_export") == []


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_applicant_session_not_staff(applicant_browser, field, path):
    browser = applicant_browser()
    browser.sign_in(field["omar"][2])

    response = browser.get(path.format(id=field["omar"][0]), follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
