"""Fixtures for the web UI: the app on a fresh archive, browser-like clients, indexed records."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from archive_api.app import create_app
from ingest.pipeline import index_document
from tests.factories.records import make_record
from tests.web.pages import WebClient


@pytest.fixture
def app(archive):
    return create_app()


@pytest.fixture
def new_client(app) -> Iterator:
    """Return a factory of independent browsers (each with its own cookies)."""
    clients: list[TestClient] = []

    def make() -> WebClient:
        client = TestClient(app)
        clients.append(client)
        return WebClient(client)

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(new_client) -> WebClient:
    return new_client()


@pytest.fixture
def hr(people) -> str:
    """Department HR with an admin, a clerk and a reader."""
    people.department("HR", "Human resources")
    people.user("hr.admin", "HR", "admin")
    people.user("hr.clerk", "HR", "clerk")
    people.user("hr.reader", "HR", "reader")
    return "HR"


@pytest.fixture
def fin(people) -> str:
    """Department FIN with a clerk and an admin."""
    people.department("FIN", "Finance")
    people.user("fin.clerk", "FIN", "clerk")
    people.user("fin.admin", "FIN", "admin")
    return "FIN"


@pytest.fixture
def indexed(archive):
    """Insert a record with page texts and index it, so that search finds it."""

    def make(department: str, pages: tuple[str, ...], **fields) -> int:
        document_id = make_record(archive, department, pages=pages, **fields)
        index_document(archive, document_id)
        return document_id

    return make
