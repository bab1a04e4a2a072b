"""The search screen: results with highlighted snippets, filters with bad input, bad queries."""

from datetime import date

import pytest

from search.backend import MAX_RESULT_WINDOW
from tests.web.pages import arabic, translated
from web.views.search import PER_PAGE

APPOINTMENT = ("قرار تعيين الموظف أحمد في دائرة شؤون الموظفين", "الصفحة الثانية عن الراتب والدرجة")


@pytest.fixture
def clerk(client, hr):
    client.login("hr.clerk")
    return client


def test_search_page_without_query(clerk):
    response = clerk.get("/search")

    assert response.status_code == 200
    assert 'id="search-area"' in response.text
    assert arabic("Type words from the documents you need, in Arabic or English.") in response.text


def test_search_finds_with_mark(clerk, indexed):
    document_id = indexed("HR", APPOINTMENT, title="قرار تعيين", doc_type="decision", doc_date=date(2019, 7, 21))

    response = clerk.get("/search", params={"q": "الراتب"})

    assert response.status_code == 200
    assert arabic("Documents found: %(total)d", total=1) in response.text
    assert "<mark>الراتب</mark>" in response.text
    assert f'href="/documents/{document_id}?page=2&amp;q=' in response.text
    assert "دائرة HR" in response.text
    assert "2019-07-21" in response.text


def test_search_other_department_finds_nothing(new_client, hr, fin, indexed):
    indexed("HR", APPOINTMENT)
    finance = new_client()
    finance.login("fin.clerk")

    response = finance.get("/search", params={"q": "الراتب"})

    assert arabic("Documents found: %(total)d", total=0) in response.text
    assert "<mark>" not in response.text
    assert arabic("No document you may read matches this search. Try fewer words or other filters.") in response.text


def test_search_filter_by_type(clerk, indexed):
    indexed("HR", APPOINTMENT, doc_type="decision")
    indexed("HR", APPOINTMENT[:1] + ("نسخة أخرى",), doc_type="contract")

    response = clerk.get("/search", params={"q": "الموظف", "type": "contract"})

    assert arabic("Documents found: %(total)d", total=1) in response.text


def test_search_sort_and_pagination(clerk, indexed):
    for day in range(1, 26):
        indexed("HR", (f"تقرير شهري رقم {day}",), doc_date=date(2020, 1, day))

    first = clerk.get("/search", params={"q": "تقرير", "sort": "date_desc"})
    second = clerk.get("/search", params={"q": "تقرير", "sort": "date_desc", "page": "2"})

    assert arabic("Documents found: %(total)d", total=25) in first.text
    assert "2020-01-25" in first.text
    assert 'rel="next"' in first.text
    assert "2020-01-05" in second.text
    assert "2020-01-25" not in second.text


def test_search_htmx_returns_area(clerk, indexed):
    indexed("HR", APPOINTMENT)

    response = clerk.get("/search", params={"q": "الراتب"}, headers={"HX-Request": "true"})

    assert response.text.lstrip().startswith('<div id="search-area">')
    assert "<html" not in response.text


def test_search_history_restore_gets_page(clerk, indexed):
    response = clerk.get("/search", params={"q": "الراتب"},
                         headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert "<html" in response.text


def test_search_bad_query_shows_message(clerk):
    response = clerk.get("/search", params={"q": '"عقد عمل'})

    assert response.status_code == 422
    assert arabic("The query has an opening quote %(quote)s without a closing one. Add the closing quote after the "
                  "phrase, or remove the opening quote to search for the words alone.", quote='"') in response.text
    assert 'value="&#34;عقد عمل"' in response.text


def test_search_empty_query_message(clerk):
    response = clerk.get("/search", params={"q": "  "})

    assert response.status_code == 422
    assert arabic("The query is empty. Type at least one word or number.") in response.text


@pytest.mark.parametrize(
    ("field", "value", "msgid", "params"),
    [
        ("type", "عقد عمل", "Document type %(value)r is invalid; use up to 64 letters, digits, _ or -, for example "
         "contract.", {"value": "عقد عمل"}),
        ("employee", "12/34", "Employee number %(value)r is invalid; use up to 32 letters, digits or -.",
         {"value": "12/34"}),
        ("from", "2020-13-01", "The %(field)s %(value)r is not a date; write it as YYYY-MM-DD, for example "
         "2019-07-21.", {"field": translated("start date"), "value": "2020-13-01"}),
        ("to", "yesterday", "The %(field)s %(value)r is not a date; write it as YYYY-MM-DD, for example 2019-07-21.",
         {"field": translated("end date"), "value": "yesterday"}),
        ("sort", "random", "Sort order %(value)r is unknown; use relevance, date_desc or date_asc.",
         {"value": "random"}),
        ("page", "two", "The result page %(value)r is not a whole number; use 1 or more.", {"value": "two"}),
        ("page", "0", "Result page %(value)s is invalid; pages start at 1.", {"value": 0}),
        ("page", "9999", "Only the first %(maximum)d results can be shown, and this page (offset %(offset)d, size "
         "%(limit)d) goes beyond them. Add words or filters to narrow the search.",
         {"maximum": MAX_RESULT_WINDOW, "offset": 9998 * PER_PAGE, "limit": PER_PAGE}),
    ],
)
def test_search_bad_filter(clerk, field, value, msgid, params):
    response = clerk.get("/search", params={"q": "عقد", field: value})

    assert response.status_code == 422
    assert arabic(msgid, **params) in response.text
    assert 'value="عقد"' in response.text


def test_search_dates_in_wrong_order(clerk):
    response = clerk.get("/search", params={"q": "عقد", "from": "2021-01-01", "to": "2020-01-01"})

    assert response.status_code == 422
    assert arabic("The start date %(date_from)s is after the end date %(date_to)s; swap the dates or clear one of "
                  "them.", date_from="2021-01-01", date_to="2020-01-01") in response.text
    assert 'id="f-to-error"' in response.text
    assert 'value="2021-01-01"' in response.text
    assert 'value="2020-01-01"' in response.text


def test_search_in_english(clerk, indexed):
    indexed("HR", APPOINTMENT)
    clerk.post("/language", {"lang": "en", "next": "/search"})

    response = clerk.get("/search", params={"q": "الراتب"})

    assert '<html lang="en" dir="ltr">' in response.text
    assert "Documents found: 1" in response.text
    assert "Human resources" in response.text
