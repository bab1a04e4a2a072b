"""The address at which the SMS gateway reports delivery: GET /sms/dlr.

The gateway has no staff session. Each message's report URL carries its id and a random token
stored with the message, and a report with a wrong id or token changes nothing. Answers are
plain text, because Kannel only reads the status code.
"""

import logging

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from archive_api.api.deps import ArchiveDep
from archive_api.errors import N_, DiwanError
from recruitment.notify.dispatcher import REPORT_PATH
from recruitment.notify.reports import InvalidReport, apply_report, parse_report_type

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

MAX_ID_DIGITS = 18


def _message_id(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > MAX_ID_DIGITS:
        raise InvalidReport(N_("Delivery report message id %(value)r is invalid."), value=text[:MAX_ID_DIGITS + 2])
    return int(text)


@router.get(REPORT_PATH)
def delivery_report(request: Request, archive: ArchiveDep) -> PlainTextResponse:
    query = request.query_params
    try:
        message_id = _message_id(query.get("id", ""))
        report_type = parse_report_type(query.get("type", ""))
        with archive.db.session() as session:
            apply_report(session, message_id, query.get("token", ""), report_type, query.get("reply", ""))
    except DiwanError as error:
        logger.warning("sms delivery report rejected status=%s error=%s", error.http_status, error)
        return PlainTextResponse(error.render(), status_code=error.http_status)
    return PlainTextResponse("OK")
