"""The application window in council local time (Asia/Hebron), with its daylight-saving edges.

Staff type the opening and closing times in Palestine time; the database stores naive UTC.
Two local times need a rule because Palestine moves its clocks:

- In spring the clocks jump from 02:00 to 03:00 (for example on 2026-03-28), so a time such as
  02:30 never happens that night. It is rejected with a message that suggests the time one
  hour later.
- In autumn the clocks go back from 02:00 to 01:00 (for example on 2026-10-24), so a time such
  as 01:30 happens twice. An opening time is read as the first occurrence (summer time,
  UTC+03:00) and a closing time as the second occurrence (winter time, UTC+02:00), so the
  window is never shorter than either reading of what staff typed.
"""

import enum
import logging
from datetime import UTC, datetime

from archive_api.errors import N_, DiwanError, Term
from archive_api.timeutil import COUNCIL_TZ, to_local
from recruitment.announcements.models import STATUS_DRAFT, STATUS_PUBLISHED

logger = logging.getLogger(__name__)

# datetime-local inputs send the first form; people typing by hand often use the second.
INPUT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M")
DISPLAY_FORMAT = "%Y-%m-%d %H:%M"
# Arabic-Indic and Eastern Arabic-Indic digits, which Arabic keyboards type, read as ASCII.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

STATE_DRAFT = "draft"
STATE_UPCOMING = "upcoming"
STATE_OPEN = "open"
STATE_CLOSED = "closed"


class Occurrence(enum.Enum):
    """The occurrence that an ambiguous autumn time refers to."""

    FIRST = 0
    SECOND = 1


class InvalidLocalTime(DiwanError):
    http_status = 422
    code = "invalid_local_time"


def ascii_digits(text: str) -> str:
    """Return the text with Arabic-Indic digits replaced by ASCII digits."""
    return text.translate(_DIGITS)


def local_to_utc(local: datetime, occurrence: Occurrence) -> datetime | None:
    """Convert a naive council-local time to naive UTC, or return None when it does not exist.

    An ambiguous time resolves to the requested occurrence.
    """
    candidates = []
    for fold in (0, 1):
        instant = local.replace(tzinfo=COUNCIL_TZ, fold=fold).astimezone(UTC)
        # A time in the spring gap converts to an instant whose wall time is another time.
        if instant.astimezone(COUNCIL_TZ).replace(tzinfo=None) == local:
            candidates.append(instant.replace(tzinfo=None))

    if not candidates:
        return None
    return candidates[0] if occurrence is Occurrence.FIRST else candidates[-1]


def is_ambiguous(local: datetime) -> bool:
    """Return True when the council-local time happens twice (the autumn clock change)."""
    first = local.replace(tzinfo=COUNCIL_TZ, fold=0)
    second = local.replace(tzinfo=COUNCIL_TZ, fold=1)
    return first.utcoffset() != second.utcoffset() and local_to_utc(local, Occurrence.FIRST) is not None


def parse_local_time(text: str, label: Term, occurrence: Occurrence) -> datetime:
    """Read a council-local date and time typed in a form and return it as naive UTC.

    `label` names the field in messages, such as Term(N_("opening time")).
    """
    text = ascii_digits(text.strip())
    if not text:
        raise InvalidLocalTime(
            N_("Enter the %(field)s as a date and time in Palestine time, such as 2026-05-01 08:00."), field=label
        )

    local = _parse_formats(text)
    if local is None:
        raise InvalidLocalTime(
            N_("The %(field)s %(value)r is not a date and time; use YYYY-MM-DD HH:MM in Palestine time."),
            field=label,
            value=text,
        )

    utc = local_to_utc(local, occurrence)
    if utc is None:
        # The same wall time read with the winter offset lands one hour later in summer time.
        suggestion = to_local(local.replace(tzinfo=COUNCIL_TZ, fold=0).astimezone(UTC).replace(tzinfo=None))
        raise InvalidLocalTime(
            N_(
                "The %(field)s %(value)s does not exist in Palestine time: the clocks move forward one hour "
                "that night for daylight saving time. Choose another time, such as %(suggestion)s."
            ),
            field=label,
            value=local.strftime(DISPLAY_FORMAT),
            suggestion=suggestion.strftime(DISPLAY_FORMAT),
        )
    return utc


def _parse_formats(text: str) -> datetime | None:
    for pattern in INPUT_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def input_value(moment: datetime | None) -> str:
    """Format a naive UTC time for a datetime-local input, in council local time."""
    if moment is None:
        return ""
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def offset_label(moment: datetime) -> str:
    """Return the council's UTC offset at a naive UTC instant, such as UTC+03:00."""
    offset = to_local(moment).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def window_state(status: str, opens_at: datetime, closes_at: datetime, now: datetime) -> str:
    """Return draft, upcoming, open or closed for an announcement at the naive UTC instant `now`.

    The window includes its opening instant and excludes its closing instant.
    """
    if status == STATUS_DRAFT:
        return STATE_DRAFT
    if status != STATUS_PUBLISHED or now >= closes_at:
        return STATE_CLOSED
    if now < opens_at:
        return STATE_UPCOMING
    return STATE_OPEN
