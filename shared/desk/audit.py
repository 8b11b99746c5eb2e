"""The audit log: every staff view of a patron and every change, appended and never edited."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.db import rows_changed
from shared.models.account import LoginAccount
from shared.models.audit import AuditEntry

Values = Mapping[str, Any]
PAGE = 200  # entries shown at once, newest first


def record(
    session: Session,
    staff: LoginAccount,
    action: str,
    now: datetime,
    patron_id: int | None = None,
    before: Values | None = None,
    after: Values | None = None,
) -> AuditEntry:
    """Append what a staff member did (or looked at), with the values before and after."""
    entry = AuditEntry(
        at=now,
        staff_account_id=staff.id,
        staff_username=staff.username,
        action=action,
        patron_id=patron_id,
        before=_plain(before),
        after=_plain(after),
    )
    session.add(entry)
    session.flush()
    return entry


def _plain(values: Values | None) -> dict[str, Any] | None:
    """The values as JSON can hold them (dates and amounts as text)."""
    if values is None:
        return None
    return {
        key: v if v is None or isinstance(v, bool | int | str) else str(v)
        for key, v in values.items()
    }


def entries(
    session: Session,
    patron_id: int | None = None,
    staff_account_id: int | None = None,
    limit: int = PAGE,
) -> list[AuditEntry]:
    """The newest entries, of one patron and/or one staff member when given."""
    query = select(AuditEntry)
    if patron_id is not None:
        query = query.where(AuditEntry.patron_id == patron_id)
    if staff_account_id is not None:
        query = query.where(AuditEntry.staff_account_id == staff_account_id)
    return list(
        session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
    )


def purge(session: Session, before: datetime) -> int:
    """Remove the entries older than the retention period; how many went."""
    return rows_changed(session, delete(AuditEntry).where(AuditEntry.at < before))
