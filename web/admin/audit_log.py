"""The audit log browser: filters, pages of entries with their chain hashes, chain verification.

An administrator sees the entries written by users of their own department and every entry
about a record of their department, whoever wrote it (such as views by a granted department).
"""

import json
import logging
from datetime import timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import String, and_, cast, func, or_, select

from archive_api.api.deps import SessionDep
from archive_api.audit.models import AuditEntry
from archive_api.audit.service import verify_chain
from archive_api.documents.metadata import parse_date
from archive_api.documents.models import Document
from archive_api.errors import N_, DiwanError
from archive_api.timeutil import end_of_local_day
from web.deps import AdminUser
from web.forms import FormState, Translate
from web.rendering import render, translator

logger = logging.getLogger(__name__)

router = APIRouter()

FIELDS = ("action", "actor", "from", "to", "page")
PER_PAGE = 50


def _visible_to(admin):
    """Return the condition that keeps the entries this administrator may read."""
    own_records = select(cast(Document.id, String)).where(Document.department_id == admin.department_id)
    return or_(
        AuditEntry.department_id == admin.department_id,
        and_(AuditEntry.target_type == "document", AuditEntry.target_id.in_(own_records)),
    )


def _filters(form: FormState, translate: Translate) -> list:
    conditions = []
    if form.value("action"):
        conditions.append(AuditEntry.action == form.value("action"))
    if form.value("actor"):
        conditions.append(AuditEntry.actor == form.value("actor").lower())
    try:
        start = parse_date(form.value("from"), translate(N_("start date")))
        if start:
            # Days are council-local: the day starts where the previous one ends.
            conditions.append(AuditEntry.at >= end_of_local_day(start - timedelta(days=1)))
    except DiwanError as error:
        form.add("from", error.render(translate))
    try:
        end = parse_date(form.value("to"), translate(N_("end date")))
        if end:
            conditions.append(AuditEntry.at < end_of_local_day(end))
    except DiwanError as error:
        form.add("to", error.render(translate))
    return conditions


def _page_number(form: FormState) -> int:
    try:
        return max(1, int(form.value("page") or 1))
    except ValueError:
        return 1


@router.get("/audit")
def audit_page(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    form = FormState.from_mapping(request.query_params, FIELDS)
    translate = translator(request)
    conditions = [_visible_to(admin), *_filters(form, translate)]
    page = _page_number(form)

    entries, total = [], 0
    if form.ok:
        total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0
        entries = session.scalars(
            select(AuditEntry).where(*conditions).order_by(AuditEntry.id.desc())
            .offset((page - 1) * PER_PAGE).limit(PER_PAGE)
        ).all()
    actions = session.scalars(
        select(AuditEntry.action).where(_visible_to(admin)).distinct().order_by(AuditEntry.action)
    ).all()

    verification = None
    if request.query_params.get("verify") == "1":
        checked, problems = verify_chain(session)
        logger.info("audit chain verified from the web entries=%s problems=%s", checked, len(problems))
        verification = {"checked": checked, "problems": problems}

    filters = {name: form.value(name) for name in FIELDS if name != "page" and form.value(name)}
    context = {
        "form": form,
        "section": "audit",
        "entries": [{"entry": entry, "details": json.loads(entry.details or "{}")} for entry in entries],
        "total": total,
        "page": page,
        "page_count": max(1, -(-total // PER_PAGE)),
        "actions": actions,
        "verification": verification,
        "page_link": lambda number: "/admin/audit?" + urlencode({**filters, "page": number}),
        "verify_link": "/admin/audit?" + urlencode({**filters, "page": page, "verify": 1}),
    }
    return render(request, "admin/audit.html", context, status_code=200 if form.ok else 422)
