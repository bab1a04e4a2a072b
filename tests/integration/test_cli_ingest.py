"""`diwan ingest`, `search`, `reindex`, `verify` and `retry` run end to end on real files."""

import shutil

from sqlalchemy import update

from archive_api.documents.models import Document
from archive_api.storage import original_key
from tests.integration.conftest import write_scan


def _lines(output: str) -> list[list[str]]:
    return [line.split("\t") for line in output.strip().splitlines()]


def test_ingest_wait_then_search(run_cli, staff, search_json, tmp_path):
    write_scan(tmp_path / "in", "letter.png", ["قرار تعيين الموظف أحمد"])
    result = run_cli("ingest", str(tmp_path / "in"), "--department", "HR", "--wait")
    assert result.exit_code == 0, result.output
    [[document_id, status, name]] = _lines(result.stdout)
    assert status == "indexed"
    assert name.endswith("letter.png")

    found = search_json("احمد", "hr.reader")
    assert found["total"] == 1
    hit = found["hits"][0]
    assert hit["id"] == int(document_id)
    assert hit["department"] == "HR"
    assert hit["pages"] == [1]
    assert "<mark>" in hit["snippet"]
    assert set(hit) == {"id", "title", "department", "pages", "snippet"}


def test_other_department_sees_nothing(run_cli, staff, search_json, tmp_path):
    path = write_scan(tmp_path, "letter.png", ["قرار تعيين الموظف أحمد"])
    assert run_cli("ingest", str(path), "--department", "HR", "--wait").exit_code == 0
    assert search_json("احمد", "moh.reader") == {"total": 0, "hits": []}


def test_same_bytes_twice_one_record(run_cli, staff, archive, tmp_path):
    path = write_scan(tmp_path, "letter.png", ["شهادة خبرة"])
    first = _lines(run_cli("ingest", str(path), "--department", "HR", "--wait").stdout)
    copy = tmp_path / "copy.png"
    shutil.copyfile(path, copy)
    second = _lines(run_cli("ingest", str(copy), "--department", "HR", "--wait").stdout)
    assert second[0][0] == first[0][0]
    assert "duplicate" in second[0][3]
    assert len(list(archive.store.keys("originals"))) == 1


def test_same_bytes_in_two_departments_one_object(run_cli, staff, archive, tmp_path):
    path = write_scan(tmp_path, "letter.png", ["شهادة خبرة"])
    hr = _lines(run_cli("ingest", str(path), "--department", "HR").stdout)
    moh = _lines(run_cli("ingest", str(path), "--department", "MOH").stdout)
    assert hr[0][0] != moh[0][0]
    assert len(list(archive.store.keys("originals"))) == 1


def test_bad_file_keeps_good_ones(run_cli, staff, corpus, search_json, tmp_path):
    folder = tmp_path / "in"
    write_scan(folder, "good.png", ["كتاب شكر وتقدير"])
    shutil.copyfile(corpus / "ocrmypdf_invalid.pdf", folder / "broken.pdf")
    (folder / "notes.txt").write_text("not a scan")
    result = run_cli("ingest", str(folder), "--department", "HR", "--wait")
    assert result.exit_code == 1
    rows = {row[2].rsplit("/", 1)[-1]: row for row in _lines(result.stdout)}
    assert rows["good.png"][1] == "indexed"
    assert rows["broken.pdf"][1] == "rejected"
    assert "broken.pdf" in rows["broken.pdf"][3]
    assert rows["notes.txt"][1] == "rejected"
    assert search_json("شكر", "hr.clerk")["total"] == 1


def test_manifest_metadata_and_filters(run_cli, staff, search_json, tmp_path):
    folder = tmp_path / "in"
    write_scan(folder, "a.png", ["عقد عمل للموظف"])
    write_scan(folder, "b.png", ["عقد عمل مؤقت"])
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,title,type,employee_number,date\n"
        "a.png,عقد العمل الأول,contract,1001,2015-03-01\n"
        "b.png,عقد مؤقت,temporary,1002,2019-07-21\n"
    )
    result = run_cli("ingest", str(folder), "--department", "HR", "--manifest", str(manifest), "--wait")
    assert result.exit_code == 0, result.output

    assert search_json("عقد", "hr.reader")["total"] == 2
    typed = search_json("عقد", "hr.reader", "--type", "contract")
    assert [hit["title"] for hit in typed["hits"]] == ["عقد العمل الأول"]
    dated = search_json("عقد", "hr.reader", "--from", "2019-01-01", "--to", "2019-12-31")
    assert [hit["title"] for hit in dated["hits"]] == ["عقد مؤقت"]
    by_employee = search_json("عقد", "hr.reader", "--employee", "1001")
    assert by_employee["total"] == 1


def test_bad_manifest_ingests_nothing(run_cli, staff, archive, tmp_path):
    folder = tmp_path / "in"
    write_scan(folder, "a.png", ["عقد"])
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,date\na.png,31/31/2019\n")
    result = run_cli("ingest", str(folder), "--department", "HR", "--manifest", str(manifest))
    assert result.exit_code == 2
    assert "line 2" in result.output
    with archive.db.session(write=False) as session:
        assert session.query(Document).count() == 0


def test_missing_path_and_department(run_cli, staff, tmp_path):
    missing = run_cli("ingest", str(tmp_path / "nope"), "--department", "HR")
    assert missing.exit_code == 2
    assert "nope" in missing.output
    path = write_scan(tmp_path, "a.png", ["عقد"])
    unknown = run_cli("ingest", str(path), "--department", "XYZ")
    assert unknown.exit_code == 2
    assert "XYZ" in unknown.output


def test_bad_queries_are_errors(run_cli, staff):
    for query in ['"unclosed', "", "!!!", "-only"]:
        result = run_cli("search", "--as", "hr.reader", "--", query)
        assert result.exit_code == 2, query
        assert result.output.startswith("error:"), query
    bad_date = run_cli("search", "عقد", "--as", "hr.reader", "--from", "yesterday")
    assert bad_date.exit_code == 2
    assert "yesterday" in bad_date.output


def test_reindex_keeps_results(run_cli, staff, search_json, tmp_path):
    path = write_scan(tmp_path, "a.png", ["قرار ترقية الموظف إلى الدرجة الخامسة"])
    run_cli("ingest", str(path), "--department", "HR", "--wait")
    result = run_cli("reindex")
    assert result.exit_code == 0
    assert "reindexed 1 documents" in result.output
    assert search_json("ترقيه", "hr.reader")["total"] == 1


def test_verify_reports_tampering(run_cli, staff, archive, tmp_path):
    path = write_scan(tmp_path, "a.png", ["ترقية وظيفية"])
    document_id = int(_lines(run_cli("ingest", str(path), "--department", "HR", "--wait").stdout)[0][0])
    assert run_cli("verify").exit_code == 0

    with archive.db.session() as session:
        sha256 = session.get(Document, document_id).blob_sha256
    archive.store.put_bytes(original_key(sha256), b"changed")
    result = run_cli("verify")
    assert result.exit_code == 1
    assert f"mismatch\t{sha256}" in result.output


def test_failed_document_retried(run_cli, staff, archive, search_json, tmp_path):
    path = write_scan(tmp_path, "a.png", ["إجازة سنوية"])
    document_id = int(_lines(run_cli("ingest", str(path), "--department", "HR").stdout)[0][0])
    with archive.db.session() as session:
        session.execute(update(Document).where(Document.id == document_id).values(status="failed", error_message="x"))

    assert run_cli("retry", str(document_id)).exit_code == 0
    result = run_cli("ingest", str(path), "--department", "HR", "--wait")
    assert result.exit_code == 0, result.output
    assert search_json("اجازه", "hr.reader")["total"] == 1


def test_retry_of_indexed_document_refused(run_cli, staff, tmp_path):
    path = write_scan(tmp_path, "a.png", ["إجازة"])
    document_id = _lines(run_cli("ingest", str(path), "--department", "HR", "--wait").stdout)[0][0]
    result = run_cli("retry", document_id)
    assert result.exit_code == 2
    assert "not failed" in result.output
