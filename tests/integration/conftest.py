"""Fixtures for end-to-end tests: an archive with two departments and small real scans."""

import json
from pathlib import Path

import pytest

from tests.factories.documents import image_bytes, render_arabic_page

# A strip of paper the size of a few lines keeps OCR to a fraction of a second per page.
STRIP_MM = (180, 60)


def write_scan(folder: Path, name: str, lines: list[str], image_format: str = "PNG") -> Path:
    """Render Arabic lines as a 300-dpi scan and save it under folder/name."""
    page = render_arabic_page(lines, font_size=16, paper_mm=STRIP_MM)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(image_bytes(page, image_format, dpi=(300, 300)))
    return path


@pytest.fixture
def staff(people):
    """HR with a clerk and a reader, MOH with a reader and an admin."""
    people.department("HR")
    people.department("MOH")
    people.user("hr.clerk", "HR", "clerk")
    people.user("hr.reader", "HR", "reader")
    people.user("hr.admin", "HR", "admin")
    people.user("moh.reader", "MOH", "reader")
    return people


@pytest.fixture
def search_json(run_cli):
    """Run `diwan search --json` and return the parsed output."""

    def search(query: str, username: str, *options: str) -> dict:
        result = run_cli("search", query, "--as", username, "--json", *options)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return search


@pytest.fixture
def drain(archive):
    """Process every queued record here, as a worker would, and return their final states."""
    from ingest.local_runner import run_locally
    from ingest.sweeper import pending_documents

    def run() -> dict[int, str]:
        return run_locally(archive, pending_documents(archive), 1)

    return run


@pytest.fixture
def api(archive, staff):
    """A TestClient on the app and bearer-token headers for each staff user."""
    from fastapi.testclient import TestClient

    from archive_api.app import create_app

    client = TestClient(create_app())
    client.tokens = {
        name: {"Authorization": f"Bearer {staff.token(name)}"}
        for name in ("hr.clerk", "hr.reader", "hr.admin", "moh.reader")
    }
    yield client
    client.close()
