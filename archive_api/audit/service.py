"""Appending to and verifying the hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so changing, removing or
reordering any entry breaks every hash after it. Appends lock the single audit_head row, which
serialises writers on PostgreSQL and SQLite alike.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_api.accounts.models import User
from archive_api.audit.models import AuditEntry, AuditHead
from archive_api.timeutil import utcnow

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64


def _canonical(entry: AuditEntry) -> str:
    fields = {
        "id": entry.id,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor": entry.actor,
        "department_id": entry.department_id,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry).encode()).hexdigest()


def _locked_head(session: Session) -> AuditHead:
    head = session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:
        head = AuditHead(id=1, last_entry_id=0, last_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    return head


def record(
    session: Session,
    actor: User | None,
    action: str,
    target_type: str | None = None,
    target_id: Any = None,
    details: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction, so it commits or rolls back with the action."""
    head = _locked_head(session)
    entry = AuditEntry(
        id=head.last_entry_id + 1,
        at=utcnow(),
        actor_id=actor.id if actor else None,
        actor=actor.username if actor else (actor_label or "system"),
        department_id=actor.department_id if actor else None,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=json.dumps(details or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
        prev_hash=head.last_hash,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    head.last_entry_id = entry.id
    head.last_hash = entry.hash
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    problem: str


def verify_chain(session: Session, batch_size: int = 5000) -> tuple[int, list[ChainProblem]]:
    """Walk the whole log in id order and return the number of entries and every broken link."""
    problems: list[ChainProblem] = []
    previous_hash = GENESIS_HASH
    expected_id = 1
    checked = 0
    last_id = 0

    while True:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch_size)
        ).all()
        if not entries:
            break
        for entry in entries:
            if entry.id != expected_id:
                problems.append(ChainProblem(entry.id, f"entries {expected_id}..{entry.id - 1} are missing"))
            if entry.prev_hash != previous_hash:
                problems.append(ChainProblem(entry.id, "previous-hash link does not match the entry before"))
            if entry_hash(entry) != entry.hash:
                problems.append(ChainProblem(entry.id, "entry was changed after it was written"))
            previous_hash = entry.hash
            expected_id = entry.id + 1
            last_id = entry.id
            checked += 1

    head = session.get(AuditHead, 1)
    if head is not None and head.last_entry_id != last_id:
        problems.append(ChainProblem(head.last_entry_id, "the newest entries are missing"))
    return checked, problems
