"""`diwan search`: exactly the results a given user may see."""

import json

import click

from archive_api.accounts.service import get_user
from archive_api.cli.common import reports_errors
from archive_api.context import get_archive
from archive_api.documents.metadata import parse_date
from search.service import SORT_ORDERS, SearchFilters, search_documents


@click.command()
@click.argument("query")
@click.option("--as", "username", required=True, help="Search as this user, with their access.")
@click.option("--type", "doc_type", help="Only this document type.")
@click.option("--employee", "employee_number", help="Only this employee number.")
@click.option("--from", "date_from", help="Documents dated on or after YYYY-MM-DD.")
@click.option("--to", "date_to", help="Documents dated on or before YYYY-MM-DD.")
@click.option("--sort", type=click.Choice(SORT_ORDERS), default="relevance", show_default=True)
@click.option("--page", type=int, default=1, show_default=True, help="Result page.")
@click.option("--per-page", type=int, default=20, show_default=True, help="Results per page.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print {"total", "hits": [{"id", "title", "department", "pages", "snippet"}]}.',
)
@reports_errors
def search(query, username, doc_type, employee_number, date_from, date_to, sort, page, per_page, as_json) -> None:
    """Search the archive for QUERY as USERNAME would."""
    archive = get_archive()
    filters = SearchFilters(
        doc_type=doc_type,
        employee_number=employee_number,
        date_from=parse_date(date_from, "start date"),
        date_to=parse_date(date_to, "end date"),
        sort=sort,
        page=page,
        per_page=per_page,
    )
    with archive.db.session() as session:
        results = search_documents(archive, session, get_user(session, username), query, filters)

    if as_json:
        hits = [
            {"id": hit.id, "title": hit.title, "department": hit.department, "pages": hit.pages, "snippet": hit.snippet}
            for hit in results.hits
        ]
        click.echo(json.dumps({"total": results.total, "hits": hits}, ensure_ascii=False))
        return
    click.echo(f"{results.total} documents")
    for hit in results.hits:
        pages = ",".join(map(str, hit.pages))
        click.echo(f"{hit.id}\t{hit.department}\t{hit.title}\tpages {pages}")
