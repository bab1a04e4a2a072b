"""Behaviour that every SearchBackend must show, whatever engine stores the index.

A backend's test module subclasses SearchBackendContract and defines a `search_url` fixture:
a URL that search.backends.open_search_backend opens on a new, empty index. Several tests open
more than one backend on that URL, some from other processes, to check that commits and
rebuilds show across instances.
"""

import multiprocessing
from datetime import date, datetime

import pytest

from search.backend import (
    MAX_PAGE_SIZE,
    MAX_RESULT_WINDOW,
    IndexedDocument,
    InvalidSearchRequest,
    SearchPage,
    SearchRequest,
)
from search.backends import open_search_backend
from search.query import parse_query

HR = frozenset({"dept:hr"})
PROCESS_TIMEOUT_S = 120

# (query, page text) pairs from the archive's search requirements: the query must find the page.
QUERY_DOCUMENT_PAIRS = [
    ("احمد", "أحمد"),
    ("مدرسة", "المدرسة"),
    ("مدرسة", "مدرسه"),
    ("٢٠١٩", "2019"),
    ("اعلان", "إعلان وظيفة شاغرة"),
    ("الية", "آلية التقديم"),
    ("مدرسه", "مدرسة"),
    ("مستشفي", "مستشفى"),
    ("التوظيف", "الـتـوظـيـف"),
    ("الخطوط", "انواع الخطوط العربية"),
    ("السيدة", "السّيّدة"),
    ("١٩٩٦", "صدر القرار في ٢١/٠٧/١٩٩٦م"),
    ("1996", "صدر القرار في ٢١/٠٧/١٩٩٦م"),
    ("employees", "employee"),
    ("running", "run"),
]


def document(
    document_id: int,
    text: str = "",
    *,
    title: str = "",
    pages: tuple[str, ...] | None = None,
    department: str = "hr",
    readers: tuple[str, ...] = ("dept:hr",),
    doc_type: str | None = None,
    employee_number: str | None = None,
    doc_date: date | None = None,
) -> IndexedDocument:
    return IndexedDocument(
        id=document_id,
        department=department,
        title=title,
        doc_type=doc_type,
        employee_number=employee_number,
        doc_date=doc_date,
        created_at=datetime(2024, 5, 1, 9, 30),
        readers=readers,
        pages=pages if pages is not None else (text,),
    )


def run_search(backend, text: str, principals=HR, **options) -> SearchPage:
    return backend.search(SearchRequest(query=parse_query(text), principals=principals, **options))


def found_ids(backend, text: str, **options) -> list[int]:
    return run_search(backend, text, **options).ids


def index_dated(backend) -> None:
    """Index three decisions dated 2019, 2020 and 2021 (ids 1 to 3) and an undated one (id 4)."""
    backend.index(
        [
            document(1, "قرار", doc_date=date(2019, 1, 1)),
            document(2, "قرار", doc_date=date(2020, 6, 15)),
            document(3, "قرار", doc_date=date(2021, 12, 31)),
            document(4, "قرار"),
        ]
    )


def index_announcements(backend, count: int = 25) -> None:
    """Index announcements with ids 1 to `count`, dated 1 to `count` January 2000."""
    backend.index([document(index, "إعلان", doc_date=date(2000, 1, index)) for index in range(1, count + 1)])


def index_in_child(url: str, documents: list[IndexedDocument], start) -> None:
    """Index each document with its own call once `start` is set (runs in a child process)."""
    backend = open_search_backend(url)
    try:
        start.wait(PROCESS_TIMEOUT_S)
        for item in documents:
            backend.index([item])
    finally:
        backend.close()


def rebuild_in_child(url: str, documents: list[IndexedDocument]) -> None:
    backend = open_search_backend(url)
    try:
        backend.rebuild(documents)
    finally:
        backend.close()


def run_children(targets: list[tuple], start=None) -> list[int]:
    """Run functions in spawned processes, set `start` once all run, return the exit codes."""
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=target, args=args) for target, args in targets]
    for process in processes:
        process.start()
    if start is not None:
        start.set()
    for process in processes:
        process.join(PROCESS_TIMEOUT_S)
    codes = [process.exitcode for process in processes]
    for process in processes:
        if process.is_alive():
            process.kill()
    return codes


class SearchBackendContract:
    @pytest.fixture
    def backend(self, search_url):
        backend = open_search_backend(search_url)
        yield backend
        backend.close()

    @pytest.fixture
    def second_backend(self, search_url):
        backend = open_search_backend(search_url)
        yield backend
        backend.close()

    # Analysis through the engine

    @pytest.mark.parametrize(("query", "text"), QUERY_DOCUMENT_PAIRS)
    def test_query_finds_text(self, backend, query, text):
        backend.index([document(1, text), document(2, "نص آخر لا علاقة له other words")])
        assert found_ids(backend, query) == [1]

    def test_words_are_anded(self, backend):
        backend.index([document(1, "عقد عمل"), document(2, "عقد إيجار")])
        assert found_ids(backend, "عقد عمل") == [1]

    def test_title_searched(self, backend):
        backend.index([document(1, "نص الصفحة", title="قرار تعيين")])
        assert found_ids(backend, "تعيين") == [1]

    def test_title_match_ranks_first(self, backend):
        backend.index(
            [
                document(1, "تقرير عن الترقية وموضوعات أخرى كثيرة", title="ملف"),
                document(2, "موضوعات أخرى كثيرة", title="الترقية"),
            ]
        )
        assert found_ids(backend, "الترقية") == [2, 1]

    def test_more_occurrences_rank_first(self, backend):
        backend.index(
            [
                document(1, "راتب بدل نقل سكن علاج"),
                document(2, "راتب راتب راتب سكن علاج"),
            ]
        )
        assert found_ids(backend, "راتب") == [2, 1]

    # Phrases, exclusion and OR

    def test_phrase_in_order(self, backend):
        backend.index([document(1, "صدر القرار أمس"), document(2, "القرار صدر أمس")])
        assert found_ids(backend, '"صدر القرار"') == [1]

    def test_phrase_reversed(self, backend):
        backend.index([document(1, "صدر القرار أمس")])
        assert found_ids(backend, '"القرار صدر"') == []

    def test_phrase_words_apart(self, backend):
        backend.index([document(1, "صدر أمس القرار")])
        assert found_ids(backend, '"صدر القرار"') == []

    def test_phrase_not_across_pages(self, backend):
        backend.index([document(1, pages=("في آخر الصفحة صدر", "القرار في أول الصفحة"))])
        assert found_ids(backend, '"صدر القرار"') == []
        assert found_ids(backend, "صدر القرار") == [1]

    def test_phrase_in_title(self, backend):
        backend.index([document(1, "نص", title="قرار تعيين موظف")])
        assert found_ids(backend, '"تعيين موظف"') == [1]

    def test_date_phrase(self, backend):
        backend.index([document(1, "صدر في ٢١/٠٧/١٩٩٦م"), document(2, "صدر في 07/21/1996")])
        assert found_ids(backend, "21/07/1996") == [1]

    def test_exclusion(self, backend):
        backend.index([document(1, "مدرسة ثانوية"), document(2, "مدرسة ابتدائية")])
        assert found_ids(backend, "مدرسة -ابتدائية") == [1]

    def test_exclusion_of_phrase(self, backend):
        backend.index([document(1, "نسخة أولى من التقرير"), document(2, "التقرير نسخة نهائية")])
        assert found_ids(backend, 'التقرير -"نسخة أولى"') == [2]

    def test_exclusion_reaches_title(self, backend):
        backend.index([document(1, "تقرير", title="مسودة"), document(2, "تقرير", title="نهائي")])
        assert found_ids(backend, "تقرير -مسودة") == [2]

    def test_or(self, backend):
        backend.index([document(1, "عقد عمل"), document(2, "employment contract"), document(3, "إجازة")])
        assert sorted(found_ids(backend, "عقد OR contract")) == [1, 2]

    def test_or_with_phrase_and_word(self, backend):
        backend.index([document(1, "صدر القرار"), document(2, "contract"), document(3, "القرار صدر")])
        assert sorted(found_ids(backend, '"صدر القرار" OR contract')) == [1, 2]

    def test_or_anded_with_word(self, backend):
        backend.index([document(1, "عقد 2020"), document(2, "contract 2021"), document(3, "عقد 2021")])
        assert sorted(found_ids(backend, "عقد OR contract 2021")) == [2, 3]

    # Filters

    def test_filter_doc_type(self, backend):
        backend.index([document(1, "تقرير", doc_type="decision"), document(2, "تقرير", doc_type="letter")])
        assert found_ids(backend, "تقرير", doc_type="letter") == [2]

    def test_filter_doc_type_ignores_case(self, backend):
        backend.index([document(1, "تقرير", doc_type="Decision ")])
        assert found_ids(backend, "تقرير", doc_type="decision") == [1]

    def test_filter_employee_number_exact(self, backend):
        backend.index(
            [
                document(1, "تقرير", employee_number="123"),
                document(2, "تقرير", employee_number="1234"),
                document(3, "تقرير"),
            ]
        )
        assert found_ids(backend, "تقرير", employee_number="123") == [1]

    def test_filter_employee_number_arabic_digits(self, backend):
        backend.index([document(1, "تقرير", employee_number="00123")])
        assert found_ids(backend, "تقرير", employee_number="٠٠١٢٣") == [1]

    def test_filter_date_range(self, backend):
        index_dated(backend)
        ids = found_ids(backend, "قرار", date_from=date(2020, 1, 1), date_to=date(2021, 1, 1))
        assert ids == [2]

    def test_filter_date_bounds_inclusive(self, backend):
        index_dated(backend)
        ids = found_ids(backend, "قرار", date_from=date(2019, 1, 1), date_to=date(2020, 6, 15))
        assert sorted(ids) == [1, 2]

    def test_filter_date_from_open_end(self, backend):
        index_dated(backend)
        assert sorted(found_ids(backend, "قرار", date_from=date(2020, 6, 15))) == [2, 3]

    def test_filter_date_to_open_start(self, backend):
        index_dated(backend)
        assert sorted(found_ids(backend, "قرار", date_to=date(2020, 6, 14))) == [1]

    def test_filter_date_excludes_undated(self, backend):
        index_dated(backend)
        ids = found_ids(backend, "قرار", date_from=date(1900, 1, 1), date_to=date(2100, 1, 1))
        assert sorted(ids) == [1, 2, 3]

    def test_filters_combined(self, backend):
        backend.index(
            [
                document(1, "قرار", doc_type="decision", employee_number="7", doc_date=date(2020, 1, 1)),
                document(2, "قرار", doc_type="decision", employee_number="8", doc_date=date(2020, 1, 1)),
                document(3, "قرار", doc_type="letter", employee_number="7", doc_date=date(2020, 1, 1)),
                document(4, "قرار", doc_type="decision", employee_number="7", doc_date=date(2010, 1, 1)),
            ]
        )
        page = run_search(
            backend,
            "قرار",
            doc_type="decision",
            employee_number="7",
            date_from=date(2019, 1, 1),
        )
        assert page == SearchPage(total=1, ids=[1])

    # Access

    def test_other_department_not_counted(self, backend):
        backend.index(
            [
                document(1, "تقرير سري"),
                document(2, "تقرير سري", department="it", readers=("dept:it",)),
                document(3, "تقرير سري", department="it", readers=("dept:it",)),
            ]
        )
        assert run_search(backend, "تقرير") == SearchPage(total=1, ids=[1])

    def test_unreadable_only_match_hidden(self, backend):
        backend.index([document(1, "عادي"), document(2, "سري للغاية", department="it", readers=("dept:it",))])
        assert run_search(backend, "سري") == SearchPage(total=0, ids=[])

    def test_any_principal_grants(self, backend):
        backend.index([document(1, "ملف", department="it", readers=("dept:it", "user:7"))])
        assert found_ids(backend, "ملف", principals=frozenset({"user:7", "dept:hr"})) == [1]

    def test_no_principals_sees_nothing(self, backend):
        backend.index([document(1, "ملف")])
        assert run_search(backend, "ملف", principals=frozenset()) == SearchPage(total=0, ids=[])

    def test_department_name_not_principal(self, backend):
        backend.index([document(1, "ملف", department="hr", readers=("user:1",))])
        assert found_ids(backend, "ملف", principals=frozenset({"hr"})) == []

    # Sorting and paging

    def test_sort_date_desc(self, backend):
        index_dated(backend)
        assert found_ids(backend, "قرار", sort="date_desc") == [3, 2, 1, 4]

    def test_sort_date_asc(self, backend):
        index_dated(backend)
        assert found_ids(backend, "قرار", sort="date_asc") == [1, 2, 3, 4]

    def test_sort_undated_last(self, backend):
        backend.index(
            [
                document(1, "قرار"),
                document(2, "قرار", doc_date=date(1990, 1, 1)),
                document(3, "قرار"),
                document(4, "قرار", doc_date=date(2030, 1, 1)),
            ]
        )
        for sort in ("date_desc", "date_asc"):
            ids = found_ids(backend, "قرار", sort=sort)
            assert sorted(ids[2:]) == [1, 3]

    def test_sort_same_day_by_id(self, backend):
        day = date(2020, 1, 1)
        backend.index([document(index, "قرار", doc_date=day) for index in (5, 2, 9, 7)])
        assert found_ids(backend, "قرار", sort="date_desc") == [9, 7, 5, 2]
        assert found_ids(backend, "قرار", sort="date_asc") == [2, 5, 7, 9]

    def test_pagination_pages_join(self, backend):
        index_announcements(backend)
        pages = [run_search(backend, "إعلان", sort="date_asc", offset=offset, limit=10) for offset in (0, 10, 20)]
        assert [page.total for page in pages] == [25, 25, 25]
        assert pages[0].ids + pages[1].ids + pages[2].ids == list(range(1, 26))

    def test_pagination_relevance_pages_disjoint(self, backend):
        index_announcements(backend)
        first = run_search(backend, "إعلان", offset=0, limit=20).ids
        second = run_search(backend, "إعلان", offset=20, limit=20).ids
        assert len(second) == 5
        assert sorted(first + second) == list(range(1, 26))

    def test_pagination_beyond_end(self, backend):
        index_announcements(backend, count=3)
        assert run_search(backend, "إعلان", offset=10, limit=10) == SearchPage(total=3, ids=[])

    def test_limit_zero_counts_only(self, backend):
        index_announcements(backend, count=3)
        assert run_search(backend, "إعلان", limit=0) == SearchPage(total=3, ids=[])

    def test_total_exact_above_page(self, backend):
        index_announcements(backend)
        assert run_search(backend, "إعلان", limit=1).total == 25

    # Invalid requests

    @pytest.mark.parametrize(
        "options",
        [
            {"offset": -1},
            {"limit": -1},
            {"limit": MAX_PAGE_SIZE + 1},
            {"offset": MAX_RESULT_WINDOW, "limit": 1},
            {"date_from": date(2021, 1, 1), "date_to": date(2020, 1, 1)},
        ],
    )
    def test_invalid_request(self, backend, options):
        with pytest.raises(InvalidSearchRequest):
            run_search(backend, "قرار", **options)

    def test_deepest_page_accepted(self, backend):
        page = run_search(backend, "قرار", offset=MAX_RESULT_WINDOW - MAX_PAGE_SIZE, limit=MAX_PAGE_SIZE)
        assert page == SearchPage(total=0, ids=[])

    # Updates

    def test_count(self, backend):
        backend.index([document(index, "ملف") for index in range(1, 4)])
        assert backend.count() == 3

    def test_count_empty(self, backend):
        assert backend.count() == 0

    def test_reindex_replaces(self, backend):
        backend.index([document(1, "نص قديم")])
        backend.index([document(1, "نص جديد")])
        assert found_ids(backend, "قديم") == []
        assert found_ids(backend, "جديد") == [1]
        assert backend.count() == 1

    def test_reindex_changes_readers(self, backend):
        backend.index([document(1, "ملف")])
        backend.index([document(1, "ملف", department="it", readers=("dept:it",))])
        assert run_search(backend, "ملف").total == 0

    def test_same_id_twice_last_wins(self, backend):
        backend.index([document(1, "الأول"), document(1, "الثاني")])
        assert found_ids(backend, "الثاني") == [1]
        assert backend.count() == 1

    def test_many_documents_one_call(self, backend):
        backend.index([document(index, f"سجل رقم {index}") for index in range(1, 1201)])
        assert backend.count() == 1200
        assert run_search(backend, "سجل", limit=0).total == 1200

    def test_long_document_last_page(self, backend):
        pages = tuple(f"صفحة عادية رقم {number}" for number in range(1, 300))
        backend.index([document(1, pages=(*pages, "في الصفحة الأخيرة صدر القرار"))])
        assert found_ids(backend, '"صدر القرار"') == [1]
        assert found_ids(backend, '"عادية رقم 299"') == [1]

    def test_index_nothing(self, backend):
        backend.index([])
        assert backend.count() == 0

    def test_delete(self, backend):
        backend.index([document(1, "ملف"), document(2, "ملف")])
        backend.delete([1, 999])
        assert found_ids(backend, "ملف") == [2]
        assert backend.count() == 1

    def test_delete_nothing(self, backend):
        backend.index([document(1, "ملف")])
        backend.delete([])
        assert backend.count() == 1

    def test_commit_seen_by_other_instance(self, backend, second_backend):
        assert found_ids(second_backend, "ملف") == []
        backend.index([document(1, "ملف")])
        assert found_ids(second_backend, "ملف") == [1]
        backend.delete([1])
        assert found_ids(second_backend, "ملف") == []

    # Rebuild

    def test_rebuild_replaces_everything(self, backend):
        backend.index([document(1, "قديم"), document(2, "قديم")])
        count = backend.rebuild([document(3, "جديد"), document(4, "جديد")])
        assert count == 2
        assert found_ids(backend, "قديم") == []
        assert sorted(found_ids(backend, "جديد")) == [3, 4]
        assert backend.count() == 2

    def test_rebuild_while_reader_open(self, backend, second_backend):
        backend.index([document(1, "قديم")])
        assert found_ids(second_backend, "قديم") == [1]
        seen_during_rebuild = []

        def documents():
            yield document(2, "جديد")
            seen_during_rebuild.append(found_ids(second_backend, "قديم"))
            yield document(3, "جديد")

        assert backend.rebuild(documents()) == 2
        assert seen_during_rebuild == [[1]]
        assert found_ids(second_backend, "قديم") == []
        assert sorted(found_ids(second_backend, "جديد")) == [2, 3]

    def test_rebuild_duplicate_ids_counted_once(self, backend):
        count = backend.rebuild([document(1, "الأول"), document(1, "الثاني")])
        assert count == 1
        assert found_ids(backend, "الثاني") == [1]
        assert found_ids(backend, "الأول") == []

    def test_failed_rebuild_keeps_index(self, backend):
        backend.index([document(1, "قديم")])

        def documents():
            yield document(2, "جديد")
            raise RuntimeError("database went away")

        with pytest.raises(RuntimeError):
            backend.rebuild(documents())
        assert found_ids(backend, "قديم") == [1]
        assert found_ids(backend, "جديد") == []

    def test_index_after_rebuild(self, backend, second_backend):
        backend.rebuild([document(1, "أول")])
        second_backend.index([document(2, "ثان")])
        assert found_ids(backend, "ثان") == [2]
        assert backend.count() == 2

    # Several processes

    def test_two_processes_write_at_once(self, backend, search_url):
        assert backend.count() == 0
        start = multiprocessing.get_context("spawn").Event()
        first = [document(index, f"عملية أولى {index}") for index in range(1, 6)]
        second = [document(index, f"عملية ثانية {index}") for index in range(101, 106)]
        targets = [
            (index_in_child, (search_url, first, start)),
            (index_in_child, (search_url, second, start)),
        ]
        assert run_children(targets, start) == [0, 0]
        assert sorted(found_ids(backend, "عملية", limit=20)) == [1, 2, 3, 4, 5, 101, 102, 103, 104, 105]
        assert backend.count() == 10

    def test_rebuild_in_other_process_seen(self, backend, search_url):
        backend.index([document(1, "قديم")])
        assert found_ids(backend, "قديم") == [1]
        codes = run_children([(rebuild_in_child, (search_url, [document(2, "جديد")]))])
        assert codes == [0]
        assert found_ids(backend, "جديد") == [2]
        assert found_ids(backend, "قديم") == []
