"""The search benchmark's queries, and the same queries written against the tantivy package alone.

Each QuerySpec is what a user types and picks in the search form. It becomes a SearchRequest
for TantivySearch.search, SearchFilters for search.service.search_documents, and a BareQuery:
the analysed terms and filter values that `bare_search` turns into tantivy queries directly,
with the field names of the index, to measure what the engine alone costs.
"""

import logging
from dataclasses import dataclass
from datetime import date

import tantivy
from tantivy import FieldType, Occur, Query

from bench.personnel_text import arabic_digits, make_record
from bench.search_corpus import (
    ALL_DEPARTMENTS_AUDITOR,
    LARGE_DEPARTMENT_READER,
    MANY_GRANTS_CLERK,
    SMALL_DEPARTMENT_READER,
)
from search.arabic import normalize
from search.backend import SearchRequest
from search.query import parse_query
from search.service import SearchFilters

logger = logging.getLogger(__name__)

# Deepest page that MAX_RESULT_WINDOW (10,000 hits) allows at 20 hits a page.
DEEPEST_PAGE = 500
# The boost that search.tantivy_schema gives title matches, repeated here so that the bare
# query depends on the tantivy package alone.
TITLE_BOOST = 2.0


@dataclass(frozen=True)
class QuerySpec:
    category: str
    text: str
    user: str = LARGE_DEPARTMENT_READER
    doc_type: str | None = None
    employee_number: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    @property
    def label(self) -> str:
        extras = [f"as {self.user}"]
        if self.doc_type:
            extras.append(f"type={self.doc_type}")
        if self.employee_number:
            extras.append(f"employee={self.employee_number}")
        if self.date_from or self.date_to:
            extras.append(f"dates {self.date_from or ''}..{self.date_to or ''}")
        if self.sort != "relevance":
            extras.append(self.sort)
        if self.page != 1:
            extras.append(f"page {self.page}")
        return f"{self.text} [{', '.join(extras)}]"

    def filters(self) -> SearchFilters:
        return SearchFilters(
            doc_type=self.doc_type,
            employee_number=self.employee_number,
            date_from=self.date_from,
            date_to=self.date_to,
            sort=self.sort,
            page=self.page,
            per_page=self.per_page,
        )

    def request(self, principals: frozenset[str]) -> SearchRequest:
        """Return the request that search_documents sends to the backend for this spec."""
        return SearchRequest(
            query=parse_query(self.text),
            principals=principals,
            doc_type=(self.doc_type or "").strip().lower() or None,
            employee_number=(self.employee_number or "").strip() or None,
            date_from=self.date_from,
            date_to=self.date_to,
            sort=self.sort,
            offset=(self.page - 1) * self.per_page,
            limit=self.per_page,
        )


def _employee_of(department: str, doc_type: str, record_count: int) -> str:
    """Return the employee number of the first record of that department and type."""
    for number in range(1, record_count + 1):
        record = make_record(number)
        if record.department == department and record.doc_type == doc_type:
            return record.employee_number
    return "0"


def _written_date_of(department: str, record_count: int) -> str:
    """Return a date as the first record of that department writes it in Arabic-Indic digits."""
    for number in range(1, record_count + 1):
        record = make_record(number)
        day = record.doc_date
        written = arabic_digits(f"{day.day:02d}/{day.month:02d}/{day.year}")
        if record.department == department and written in record.pages[0]:
            return written
    return arabic_digits("21/07/1996")


def query_specs(record_count: int) -> list[QuerySpec]:
    """Return the benchmark's queries; most run as a reader of the largest department (MOE)."""
    employee = _employee_of("MOE", "promotion", record_count)
    written_date = _written_date_of("MOE", record_count)
    return [
        QuerySpec("word", "ترقية"),
        QuerySpec("word", "المدنية"),
        QuerySpec("word", "الخليل"),
        QuerySpec("word", "صيدلاني"),
        QuerySpec("word", "البرغوثي"),
        QuerySpec("two words", "قرار ترقية"),
        QuerySpec("two words", "إجازة مرضية"),
        QuerySpec("two words", "محمد الخطيب"),
        QuerySpec("two words", "معلم نابلس"),
        QuerySpec("phrase", '"قانون الخدمة المدنية"'),
        QuerySpec("phrase", '"إجازة أمومة"'),
        QuerySpec("phrase", "«مدير مدرسة»"),
        QuerySpec("phrase", written_date),
        QuerySpec("variant", "احمد"),
        QuerySpec("variant", "ابراهيم"),
        QuerySpec("variant", "مدرسه"),
        QuerySpec("variant", "الـتـرقـيـة"),
        QuerySpec("variant", "مُعَلِّم"),
        QuerySpec("variant", "ليلي"),
        QuerySpec("variant", "1996"),
        QuerySpec("boolean", "ترقية OR نقل"),
        QuerySpec("boolean", "تعيين -مؤقت"),
        QuerySpec("filter", "قرار", doc_type="promotion"),
        QuerySpec("filter", "إجازة", date_from=date(2010, 1, 1), date_to=date(2015, 12, 31)),
        QuerySpec("filter", "قرار", employee_number=employee),
        QuerySpec("filter", "معلم", doc_type="appointment", date_from=date(2000, 1, 1), date_to=date(2005, 12, 31)),
        QuerySpec("principals", "ترقية", user=SMALL_DEPARTMENT_READER),
        QuerySpec("principals", "ترقية", user=ALL_DEPARTMENTS_AUDITOR),
        QuerySpec("principals", "ترقية", user=MANY_GRANTS_CLERK),
        QuerySpec("principals", "إجازة مرضية", user=MANY_GRANTS_CLERK),
        QuerySpec("date sort", "ترقية", sort="date_desc"),
        QuerySpec("date sort", "إجازة", sort="date_asc"),
        QuerySpec("date sort", "قرار", doc_type="transfer", sort="date_desc"),
        QuerySpec("date sort", "المدنية", user=ALL_DEPARTMENTS_AUDITOR, sort="date_desc"),
        QuerySpec("deep page", "قرار", page=DEEPEST_PAGE),
        QuerySpec("deep page", "قرار", sort="date_desc", page=DEEPEST_PAGE),
        QuerySpec("deep page", "المدنية", user=ALL_DEPARTMENTS_AUDITOR, page=100),
    ]


@dataclass(frozen=True)
class BareQuery:
    """A request reduced to analysed terms and plain filter values."""

    required: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[tuple[str, ...], ...], ...]
    readers: tuple[str, ...]
    doc_type: str | None
    employee_number: str | None
    first_day: int | None
    last_day: int | None
    sort: str
    offset: int
    limit: int


def bare_query(request: SearchRequest) -> BareQuery:
    return BareQuery(
        required=tuple(clause.alternatives for clause in request.query.required),
        excluded=tuple(clause.alternatives for clause in request.query.excluded),
        readers=tuple(sorted(request.principals)),
        doc_type=request.doc_type,
        employee_number=normalize(request.employee_number).strip() if request.employee_number else None,
        first_day=request.date_from.toordinal() if request.date_from else None,
        last_day=request.date_to.toordinal() if request.date_to else None,
        sort=request.sort,
        offset=request.offset,
        limit=request.limit,
    )


def _terms_query(schema: tantivy.Schema, field: str, terms: tuple[str, ...]) -> Query:
    if len(terms) == 1:
        return Query.term_query(schema, field, terms[0])
    return Query.phrase_query(schema, field, list(terms))


def _any_of(schema: tantivy.Schema, alternatives: tuple[tuple[str, ...], ...]) -> list[Query]:
    queries = []
    for terms in alternatives:
        queries.append(_terms_query(schema, "body", terms))
        queries.append(Query.boost_query(_terms_query(schema, "title", terms), TITLE_BOOST))
    return queries


def _as_filter(query: Query) -> Query:
    return Query.const_score_query(query, 0.0)


def build_bare_query(schema: tantivy.Schema, bare: BareQuery) -> Query:
    """Build the query as one boolean query of term, phrase, term-set and range queries."""
    clauses: list[tuple[Occur, Query]] = []
    for alternatives in bare.required:
        clauses.append((Occur.Must, Query.boolean_query([(Occur.Should, q) for q in _any_of(schema, alternatives)])))
    for alternatives in bare.excluded:
        clauses.extend((Occur.MustNot, q) for q in _any_of(schema, alternatives))

    clauses.append((Occur.Must, _as_filter(Query.term_set_query(schema, "readers", list(bare.readers)))))
    if bare.doc_type:
        clauses.append((Occur.Must, _as_filter(Query.term_query(schema, "doc_type", bare.doc_type))))
    if bare.employee_number:
        clauses.append((Occur.Must, _as_filter(Query.term_query(schema, "employee_number", bare.employee_number))))
    if bare.first_day is not None or bare.last_day is not None:
        days = Query.range_query(schema, "doc_day", FieldType.Integer, bare.first_day, bare.last_day)
        clauses.append((Occur.Must, _as_filter(days)))
    return Query.boolean_query(clauses)


def bare_search(index: tantivy.Index, bare: BareQuery) -> tuple[int, list[int]]:
    """Run the query on a searcher of ``index`` and return the count and the page's record ids."""
    searcher = index.searcher()
    query = build_bare_query(index.schema, bare)
    limit = max(bare.limit, 1)
    if bare.sort == "relevance":
        result = searcher.search(query, limit, count=True, offset=bare.offset)
    else:
        order = tantivy.Order.Desc if bare.sort == "date_desc" else tantivy.Order.Asc
        result = searcher.search(query, limit, count=True, order_by_field="date_order", offset=bare.offset, order=order)
    ids = searcher.fast_field_values("id", [address for _score, address in result.hits])
    return result.count, ids
