"""Export of the filtered staff list of applications as CSV or XLSX, audited with its row count.

The links carry the same filters as the list page. Rows are read in batches in a read-only
session, and the audit entry is written before the file is sent.
"""

import logging
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from archive_api.api.deps import ArchiveDep
from archive_api.errors import N_, NotFound
from archive_api.timeutil import utcnow
from recruitment.applications.export import csv_bytes, headers, row_of, xlsx_bytes
from recruitment.applications.listing import audit_export, iter_applications
from recruitment.applications.models import ApplicationDocument
from web.forms import FormState
from web.recruitment.staff_applications import FIELDS, LIST_PATH, RecruitmentStaff, check_form
from web.rendering import language_of, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

COUNT_BATCH = 500
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _document_counts(session, application_ids: list[int]) -> dict[int, int]:
    """Return the number of linked document versions per application, asking COUNT_BATCH ids at a time."""
    counts: dict[int, int] = {}
    for start in range(0, len(application_ids), COUNT_BATCH):
        rows = session.execute(
            select(ApplicationDocument.application_id, func.count())
            .where(ApplicationDocument.application_id.in_(application_ids[start:start + COUNT_BATCH]))
            .group_by(ApplicationDocument.application_id)
        )
        counts.update(rows.all())
    return counts


@router.get(LIST_PATH + "/export.{file_format}")
def export_applications(request: Request, file_format: str, staff: RecruitmentStaff, archive: ArchiveDep) -> Response:
    if file_format not in MEDIA_TYPES:
        raise NotFound(N_("There is no export as %(format)s; use csv or xlsx."), format=file_format)
    form = FormState.from_mapping(request.query_params, FIELDS)
    translate = translator(request)

    with archive.db.session(write=False) as session:
        filters = check_form(form, session, translate)
        applications = list(iter_applications(session, staff, filters))
        counts = _document_counts(session, [application.id for application in applications])
        rows = [row_of(application, counts.get(application.id, 0), translate) for application in applications]

    header = headers(translate)
    if file_format == "csv":
        content = csv_bytes(header, rows)
    else:
        content = xlsx_bytes(header, rows, right_to_left=language_of(request) == "ar")

    with archive.db.session() as session:
        audit_export(session, staff, filters, file_format, len(rows))
    logger.info("applications exported format=%s rows=%d user=%s", file_format, len(rows), staff.id)

    filename = f"applications-{utcnow():%Y%m%d-%H%M}.{file_format}"
    return Response(content, media_type=MEDIA_TYPES[file_format],
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})
