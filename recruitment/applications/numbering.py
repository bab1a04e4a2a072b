"""Application numbers: the announcement's year, its serial and a sequence, such as 2026-147-00023.

The number of announcement 147/2026 is split into its serial (147) and year (2026). Its
applications are numbered 2026-147-00001, 2026-147-00002, ... in the order they were first
submitted. The sequence has at least five digits and grows to six after 99999. The year is the
announcement's, not the day of submission, so an announcement that stays open over New Year
keeps one prefix. Because announcement numbers are unique, application numbers are unique too.

A sequence number is taken from Announcement.next_application_seq while the announcement row is
locked (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the write transaction, which starts with
BEGIN IMMEDIATE, already excludes every other writer).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from recruitment.announcements.models import Announcement
from recruitment.announcements.validation import NUMBER_PATTERN

logger = logging.getLogger(__name__)

SEQUENCE_DIGITS = 5


@dataclass(frozen=True)
class LockedWindow:
    """An announcement's state as read under its row lock, fresher than an object loaded before it."""

    status: str
    opens_at: datetime
    closes_at: datetime
    next_sequence: int


def application_number(announcement_number: str, sequence: int, announcement_id: int) -> str:
    """Return the application number for the announcement number (such as 147/2026) and a sequence.

    A number that does not follow the serial/year form, which validation never stores, falls
    back to the announcement id with an A, so it cannot collide with a regular number.
    """
    match = NUMBER_PATTERN.match(announcement_number or "")
    if match is None:
        return f"A{announcement_id}-{sequence:0{SEQUENCE_DIGITS}d}"
    serial, year = int(match.group(1)), match.group(2)
    return f"{year}-{serial}-{sequence:0{SEQUENCE_DIGITS}d}"


def lock_announcement(session: Session, announcement_id: int) -> LockedWindow:
    """Lock the announcement row until the transaction ends and return its current window.

    Only plain columns are selected, because PostgreSQL refuses FOR UPDATE on the outer join
    that loading the whole Announcement (with its ministry) would add.
    """
    row = session.execute(
        select(Announcement.status, Announcement.opens_at, Announcement.closes_at, Announcement.next_application_seq)
        .where(Announcement.id == announcement_id)
        .with_for_update()
    ).one()
    return LockedWindow(row.status, row.opens_at, row.closes_at, row.next_application_seq)


def take_sequence(session: Session, announcement_id: int, window: LockedWindow) -> int:
    """Store and return the next sequence number; call only while holding the lock_announcement lock."""
    sequence = window.next_sequence + 1
    session.execute(
        update(Announcement).where(Announcement.id == announcement_id).values(next_application_seq=sequence)
    )
    return sequence
