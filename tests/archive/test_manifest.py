from datetime import date
from pathlib import Path

import pytest

from ingest.manifest import InvalidManifest, load_manifest


def _write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "manifest.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_manifest_rows(tmp_path):
    path = _write(tmp_path, "file,title,type,employee_number,date\nscan1.pdf,عقد عمل,contract,1001,2019-07-21\n")
    manifest = load_manifest(path)
    row = manifest.rows["scan1.pdf"]
    assert row.title == "عقد عمل"
    assert row.doc_type == "contract"
    assert row.employee_number == "1001"
    assert row.doc_date == date(2019, 7, 21)


def test_manifest_with_bom_and_subset_of_columns(tmp_path):
    path = _write(tmp_path, "\ufefffile,title\na.png,كتاب\n")
    assert load_manifest(path).rows["a.png"].title == "كتاب"


def test_manifest_matches_relative_path(tmp_path):
    path = _write(tmp_path, "file,title\nfolder/a.png,أ\na.png,ب\n")
    manifest = load_manifest(path)
    assert manifest.metadata_for(tmp_path / "folder" / "a.png", tmp_path).title == "أ"
    assert manifest.metadata_for(tmp_path / "other" / "a.png", tmp_path).title == "ب"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("", "empty"),
        ("title,type\nx,y\n", "file required"),
        ("file,colour\na.pdf,red\n", "colour"),
        ("file,date\na.pdf,2019-31-12\n", "line 2"),
        ("file,date\na.pdf,2019-01-01\na.pdf,2019-01-02\n", "listed twice"),
        ("file,title\na.pdf\n", "1 fields, expected 2"),
        ("file,title\n,x\n", "file column is empty"),
        ('file,title\n"a.pdf,x\n', "not valid CSV"),
    ],
)
def test_manifest_invalid(tmp_path, text, named):
    path = _write(tmp_path, text)
    with pytest.raises(InvalidManifest) as raised:
        load_manifest(path)
    assert named in str(raised.value) + " ".join(raised.value.problems)


def test_manifest_not_utf8(tmp_path):
    path = _write(tmp_path, "file,title\na.pdf,عقد\n", encoding="cp1256")
    with pytest.raises(InvalidManifest) as raised:
        load_manifest(path)
    assert "UTF-8" in str(raised.value)


def test_manifest_missing(tmp_path):
    with pytest.raises(InvalidManifest) as raised:
        load_manifest(tmp_path / "nope.csv")
    assert "nope.csv" in str(raised.value)


def test_manifest_reports_every_bad_row(tmp_path):
    path = _write(tmp_path, "file,date\na.pdf,bad\nb.pdf,2019-01-01\nc.pdf,worse\n")
    with pytest.raises(InvalidManifest) as raised:
        load_manifest(path)
    assert len(raised.value.problems) == 2
