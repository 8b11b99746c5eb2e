"""Reading the audit log: the newest entries, of one staff member and/or one patron, with the
patrons' numbers and each entry's changed values side by side."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.accounts.staff import find_by_username
from shared.desk import audit
from shared.models.audit import AuditEntry
from shared.models.card import Card, CardRole, CardStatus
from shared.models.patron import Patron
from shared.patrons.lookup import find_patron_by_any_number


class Unknown(StrEnum):
    """Which filter names nobody: then nothing is listed."""

    STAFF = "staff"
    PATRON = "patron"


@dataclass(frozen=True)
class Change:
    """One value an action changed: its name, before and after (None: not there)."""

    name: str
    before: Any
    after: Any


@dataclass(frozen=True)
class AuditListing:
    """The entries found, the numbers of their patrons (by id), and a filter naming nobody."""

    entries: list[AuditEntry]
    numbers: dict[int, str]
    unknown: Unknown | None = None


def audit_listing(
    session: Session, staff: str = "", patron: str = "", limit: int = audit.PAGE
) -> AuditListing:
    """The newest entries, of the staff member with this username and of the patron with this
    number when given (blank: everyone)."""
    account = find_by_username(session, staff) if staff.strip() else None
    if staff.strip() and account is None:
        return AuditListing([], {}, Unknown.STAFF)
    found = find_patron_by_any_number(session, patron.strip()) if patron.strip() else None
    if patron.strip() and found is None:
        return AuditListing([], {}, Unknown.PATRON)
    entries = audit.entries(
        session,
        patron_id=found.id if found else None,
        staff_account_id=account.id if account else None,
        limit=limit,
    )
    return AuditListing(entries, numbers_of(session, {e.patron_id for e in entries} - {None}))


def numbers_of(session: Session, patron_ids: Iterable[int | None]) -> dict[int, str]:
    """The number the desk knows each patron by: the active main card's, else the system or
    temporary number; two queries for any number of patrons."""
    ids = [patron_id for patron_id in patron_ids if patron_id is not None]
    query = select(Patron.id, Patron.system_number, Patron.temporary_number)
    numbers = {
        pid: system or temporary or ""
        for pid, system, temporary in session.execute(query.where(Patron.id.in_(ids)))
    }
    cards = select(Card.patron_id, Card.number).where(
        Card.patron_id.in_(ids), Card.role == CardRole.MAIN, Card.status == CardStatus.ACTIVE
    )
    numbers.update({pid: number for pid, number in session.execute(cards)})
    return numbers


def changes(entry: AuditEntry) -> list[Change]:
    """The values the entry records, each with its value before and after, in name order."""
    before, after = entry.before or {}, entry.after or {}
    return [Change(name, before.get(name), after.get(name)) for name in sorted({*before, *after})]
