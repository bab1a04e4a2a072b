"""Time helpers: the database stores naive UTC; the council's local time is Asia/Hebron."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

COUNCIL_TZ = ZoneInfo("Asia/Hebron")


def utcnow() -> datetime:
    """Return the current UTC time without tzinfo, as every DateTime column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_local(moment: datetime) -> datetime:
    """Convert a naive UTC time from the database to council local time."""
    return moment.replace(tzinfo=UTC).astimezone(COUNCIL_TZ)


def end_of_local_day(day: date | None) -> datetime | None:
    """Return the naive UTC instant at which a council-local calendar day ends, for "until" dates."""
    if day is None:
        return None
    local_end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=COUNCIL_TZ)
    return local_end.astimezone(UTC).replace(tzinfo=None)
