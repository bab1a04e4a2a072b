"""The archive as a clerk meets it in a real browser: upload a scan, watch it, search, read, switch language."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories.documents import render_arabic_page

pytestmark = pytest.mark.browser

SCAN_LINES = ["قرار تعيين الموظف في دائرة شؤون الموظفين", "صدر القرار بتاريخ ٢١/٠٧/١٩٩٦م"]
SEARCH_WORD = "الموظفين"
INDEXING_TIMEOUT_MS = 180_000


@pytest.fixture(scope="module")
def uploaded(sign_in, tmp_path_factory) -> dict:
    """Upload a rendered Arabic scan as the HR clerk and wait on the batch page until it is indexed."""
    scan = tmp_path_factory.mktemp("scan") / "قرار-تعيين.png"
    render_arabic_page(SCAN_LINES, dpi=200).save(scan)
    page = sign_in("hr.clerk")

    page.goto("/upload")
    page.set_input_files("#f-files", str(scan))
    expect(page.locator("#file-list .file-item")).to_have_count(1)
    page.fill("#f-doc_type", "decision")
    page.click("#upload-form button[type=submit]")
    expect(page.locator(".outcome-accepted")).to_have_count(1, timeout=60_000)
    document_href = page.locator(".outcome-accepted a").get_attribute("href")

    page.click("a[href^='/batches/']")
    expect(page.locator("#batch-live")).to_have_attribute("data-polling", "off", timeout=INDEXING_TIMEOUT_MS)
    return {"page": page, "document_href": document_href}


def test_upload_reaches_indexed(uploaded):
    page = uploaded["page"]

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#batch-live .badge")).to_have_text("مفهرسة")


def test_search_highlights_word(uploaded, artifacts):
    page = uploaded["page"]
    page.goto("/search")

    page.fill("#f-q", SEARCH_WORD)
    page.click("#search-area button[type=submit]")

    expect(page.locator(".hit")).to_have_count(1)
    expect(page.locator(".hit .snippet mark").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"/search\?q="))
    page.screenshot(path=str(artifacts / "arabic-search.png"), full_page=True)


def test_document_opens_with_marks(uploaded):
    page = uploaded["page"]
    page.goto(f"/search?q={SEARCH_WORD}")

    page.click(".hit-title a")

    expect(page.locator("#page-1 .page-text mark").first).to_be_visible()
    expect(page.locator("#page-1 img")).to_have_attribute("src", re.compile(r"/pages/1/image$"))
    assert page.url.split("?")[0].endswith(uploaded["document_href"])


def test_english_switch_flips_direction(uploaded):
    page = uploaded["page"]
    page.goto("/status")

    page.click(".language-switch button")

    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".site-nav")).to_contain_text("Ingestion status")
    page.click(".language-switch button")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def test_other_department_finds_nothing(uploaded, sign_in):
    page = sign_in("fin.clerk")

    page.goto(f"/search?q={SEARCH_WORD}")

    expect(page.locator(".result-count")).to_contain_text("0")
    expect(page.locator(".hit")).to_have_count(0)
    response = page.goto(uploaded["document_href"])
    assert response.status == 404
