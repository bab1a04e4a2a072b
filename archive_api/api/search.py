"""Full-text search over the records the caller may read."""

from typing import Annotated

from fastapi import APIRouter, Query

from archive_api.api.deps import ArchiveDep, SessionDep, UserDep
from archive_api.api.schemas import HitOut, SearchOut
from archive_api.documents.metadata import parse_date
from search.service import SearchFilters, search_documents

router = APIRouter(prefix="/api/v1", tags=["search"])


@router.get("/search", response_model=SearchOut)
def search(
    archive: ArchiveDep,
    session: SessionDep,
    user: UserDep,
    q: Annotated[str, Query(description='Words (all must match), "phrases", -excluded, OR.', max_length=1000)],
    type: Annotated[str | None, Query(description="Document type.")] = None,
    employee: Annotated[str | None, Query(description="Employee number.")] = None,
    date_from: Annotated[str | None, Query(alias="from", description="On or after YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, Query(alias="to", description="On or before YYYY-MM-DD.")] = None,
    sort: Annotated[str, Query(description="relevance, date_desc or date_asc.")] = "relevance",
    page: Annotated[int, Query(description="Result page, from 1.")] = 1,
    per_page: Annotated[int, Query(description="Results per page, 1 to 100.")] = 20,
):
    """Search; totals, hits and snippets cover only records the caller may read."""
    filters = SearchFilters(
        doc_type=type,
        employee_number=employee,
        date_from=parse_date(date_from, "start date"),
        date_to=parse_date(date_to, "end date"),
        sort=sort,
        page=page,
        per_page=per_page,
    )
    results = search_documents(archive, session, user, q, filters)
    return SearchOut(
        total=results.total,
        page=results.page,
        per_page=results.per_page,
        hits=[
            HitOut(
                id=h.id,
                title=h.title,
                department=h.department,
                doc_type=h.doc_type,
                doc_date=h.doc_date,
                pages=h.pages,
                snippet=h.snippet,
            )
            for h in results.hits
        ],
    )
