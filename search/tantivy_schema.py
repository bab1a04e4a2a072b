"""The Tantivy schema of the archive index, and the conversion of documents and requests to it.

Text fields hold terms that search.analysis already produced, joined by spaces, under Tantivy's
whitespace tokenizer, which splits them back without changing them. Each page is a separate
value of the body field. Tantivy leaves a position gap between the values of a field, so a
phrase never matches across a page break. Titles have their own field, which a query boosts.
"""

import logging
from datetime import UTC, datetime

import tantivy
from tantivy import FieldType, Occur, Query

from search.analysis import analyze
from search.arabic import normalize
from search.backend import IndexedDocument, SearchRequest
from search.query import Clause

logger = logging.getLogger(__name__)

# Bump when fields change; an index with another version must be rebuilt before use.
LAYOUT_VERSION = 1

ID = "id"
BODY = "body"
TITLE = "title"
DEPARTMENT = "department"
DOC_TYPE = "doc_type"
EMPLOYEE_NUMBER = "employee_number"
READERS = "readers"
DOC_DAY = "doc_day"
DATE_ORDER = "date_order"
CREATED_AT = "created_at"

TITLE_BOOST = 2.0

# The date sort key is the day number shifted left by ID_BITS with the record id in the low
# bits, so records of the same day keep one order by id on every page.
ID_BITS = 40
MAX_ID = (1 << ID_BITS) - 1


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field(ID, indexed=True, fast=True)
    builder.add_text_field(BODY, tokenizer_name="whitespace", index_option="position")
    builder.add_text_field(TITLE, tokenizer_name="whitespace", index_option="position")
    for keyword in (DEPARTMENT, DOC_TYPE, EMPLOYEE_NUMBER, READERS):
        builder.add_text_field(keyword, tokenizer_name="raw", index_option="basic")
    # Days since 0001-01-01 (date.toordinal), for range filters.
    builder.add_integer_field(DOC_DAY, indexed=True, fast=True)
    builder.add_unsigned_field(DATE_ORDER, fast=True)
    builder.add_date_field(CREATED_AT, indexed=True, fast=True)
    return builder.build()


def normalize_employee_number(value: str) -> str:
    """Return the form in which employee numbers are indexed and filtered (ASCII digits)."""
    return normalize(value).strip()


def normalize_doc_type(value: str) -> str:
    """Return the form in which document types are indexed and filtered (trimmed, lower case)."""
    return value.strip().lower()


def _as_utc(moment: datetime) -> datetime:
    # A naive created_at is taken as UTC, which is how the archive stores timestamps.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_tantivy_document(document: IndexedDocument) -> tantivy.Document:
    """Analyse a document's title and pages and return it as a Tantivy document."""
    if not 0 <= document.id <= MAX_ID:
        raise ValueError(f"document id {document.id} is outside 0 to {MAX_ID}")

    result = tantivy.Document()
    result.add_unsigned(ID, document.id)
    result.add_text(TITLE, " ".join(analyze(document.title)))
    for page in document.pages:
        result.add_text(BODY, " ".join(analyze(page)))

    result.add_text(DEPARTMENT, document.department)
    if document.doc_type:
        result.add_text(DOC_TYPE, normalize_doc_type(document.doc_type))
    if document.employee_number:
        result.add_text(EMPLOYEE_NUMBER, normalize_employee_number(document.employee_number))
    for reader in document.readers:
        result.add_text(READERS, reader)

    if document.doc_date is not None:
        day = document.doc_date.toordinal()
        result.add_integer(DOC_DAY, day)
        result.add_unsigned(DATE_ORDER, (day << ID_BITS) | document.id)
    result.add_date(CREATED_AT, _as_utc(document.created_at))
    return result


def _filter(query: Query) -> Query:
    """Wrap a condition so that it restricts hits without changing their score."""
    return Query.const_score_query(query, 0.0)


def _sequence_query(schema: tantivy.Schema, field: str, terms: tuple[str, ...]) -> Query:
    if len(terms) == 1:
        return Query.term_query(schema, field, terms[0])
    return Query.phrase_query(schema, field, list(terms))


def _clause_queries(schema: tantivy.Schema, clause: Clause) -> list[Query]:
    """Return one query per field and alternative: body plain, title boosted."""
    queries: list[Query] = []
    for terms in clause.alternatives:
        queries.append(_sequence_query(schema, BODY, terms))
        queries.append(Query.boost_query(_sequence_query(schema, TITLE, terms), TITLE_BOOST))
    return queries


def build_query(schema: tantivy.Schema, request: SearchRequest) -> Query:
    """Translate a request into one boolean query: clauses, exclusions and filters together.

    Filters are MUST clauses with a constant score of zero, so the engine counts only
    documents that pass them and relevance comes from the text clauses alone.
    """
    subqueries: list[tuple[Occur, Query]] = []
    for clause in request.query.required:
        alternatives = [(Occur.Should, query) for query in _clause_queries(schema, clause)]
        subqueries.append((Occur.Must, Query.boolean_query(alternatives)))

    for clause in request.query.excluded:
        subqueries.extend((Occur.MustNot, query) for query in _clause_queries(schema, clause))

    readers = Query.term_set_query(schema, READERS, sorted(request.principals))
    subqueries.append((Occur.Must, _filter(readers)))

    if request.doc_type:
        doc_type = Query.term_query(schema, DOC_TYPE, normalize_doc_type(request.doc_type))
        subqueries.append((Occur.Must, _filter(doc_type)))

    if request.employee_number:
        number = normalize_employee_number(request.employee_number)
        subqueries.append((Occur.Must, _filter(Query.term_query(schema, EMPLOYEE_NUMBER, number))))

    if request.date_from or request.date_to:
        days = Query.range_query(
            schema,
            DOC_DAY,
            FieldType.Integer,
            request.date_from.toordinal() if request.date_from else None,
            request.date_to.toordinal() if request.date_to else None,
        )
        subqueries.append((Occur.Must, _filter(days)))

    return Query.boolean_query(subqueries)
