"""The scanner inbox: files dropped into <inbox>/<DEPT>/ become records once they stop changing."""

import shutil

from archive_api.documents.models import Document
from ingest.inbox import Inbox
from tests.integration.conftest import write_scan


def test_settled_file_imported(archive, staff, tmp_path):
    inbox = Inbox(archive)
    assert inbox.scan() == 0  # creates the department folders
    scan = write_scan(inbox.root / "HR", "مسح ٠٠١.png", ["كتاب تكليف بمهمة رسمية"])

    assert inbox.scan() == 0  # first sight: maybe still being written
    assert inbox.scan() == 1
    assert not scan.exists()
    assert len(list((inbox.root / "HR" / ".done").rglob("مسح ٠٠١.png"))) == 1
    with archive.db.session(write=False) as session:
        [document] = session.query(Document).all()
        assert document.filename == "مسح ٠٠١.png"
        assert document.department.code == "HR"
        assert document.status == "queued"


def test_changing_file_waits(archive, staff, tmp_path):
    inbox = Inbox(archive)
    inbox.scan()
    scan = write_scan(inbox.root / "HR", "a.png", ["كتاب"])
    inbox.scan()
    with scan.open("ab") as handle:
        handle.write(b"\0")
    assert inbox.scan() == 0
    assert scan.exists()


def test_rejected_file_kept_with_reason(archive, staff, corpus):
    inbox = Inbox(archive)
    inbox.scan()
    shutil.copyfile(corpus / "ocrmypdf_invalid.pdf", inbox.root / "MOH" / "broken.pdf")
    inbox.scan()
    assert inbox.scan() == 0
    rejected = inbox.root / "MOH" / ".rejected"
    assert (rejected / "broken.pdf").exists()
    assert "broken.pdf" in (rejected / "broken.pdf.reason.txt").read_text()


def test_unknown_department_folder_ignored(archive, staff):
    inbox = Inbox(archive)
    (inbox.root / "NOPE").mkdir(parents=True)
    write_scan(inbox.root / "NOPE", "a.png", ["كتاب"])
    inbox.scan()
    assert inbox.scan() == 0
    assert (inbox.root / "NOPE" / "a.png").exists()
