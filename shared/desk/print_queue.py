"""The desk's print queue: the letters (*contributiebrieven*) the membership job left for patrons
without an e-mail address, the unprinted ones oldest first and those printed lately; marking
letters printed, each in the audit log."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, joinedload

from shared.db import rows_changed
from shared.desk import audit
from shared.desk.audit_listing import numbers_of
from shared.models.account import LoginAccount
from shared.models.membership import Letter
from shared.models.patron import Patron, Subscription

PRINTED = "letter.printed"
OPENED = "letter.opened"  # a letter's PDF shown to staff: personal data seen, as a screen
LIMIT = 200  # letters listed, and printed in one go, at most
PRINTED_DAYS = 30  # printed letters stay listed this long


@dataclass(frozen=True)
class PrintQueue:
    """The letters waiting (oldest first), whether more wait than are listed, those printed in
    the last PRINTED_DAYS (the latest first), and each patron's number by id."""

    waiting: list[Letter]
    more: bool
    printed: list[Letter]
    numbers: dict[int, str]


def print_queue(session: Session, now: datetime) -> PrintQueue:
    """The queue as the desk sees it now."""
    waiting = unprinted(session, limit=LIMIT + 1)
    printed = list(
        session.scalars(
            _letters()
            .where(Letter.printed_at >= now - timedelta(days=PRINTED_DAYS))
            .order_by(Letter.printed_at.desc(), Letter.id.desc())
            .limit(LIMIT)
        )
    )
    patrons = {letter.patron_id for letter in [*waiting, *printed]}
    return PrintQueue(waiting[:LIMIT], len(waiting) > LIMIT, printed, numbers_of(session, patrons))


def unprinted(session: Session, upto: int | None = None, limit: int = LIMIT) -> list[Letter]:
    """The unprinted letters, oldest first; none made after letter `upto` when given (what a
    page listed, not what came since)."""
    query = _letters().where(Letter.printed_at.is_(None))
    if upto is not None:
        query = query.where(Letter.id <= upto)
    return list(session.scalars(query.order_by(Letter.created_at, Letter.id).limit(limit)))


def mark_printed(
    session: Session, staff: LoginAccount, letter_ids: Iterable[int], now: datetime
) -> int:
    """Mark these letters printed by this staff member, each one once (in the audit log for
    its patron); how many were marked."""
    marked = 0
    letters = list(session.scalars(select(Letter).where(Letter.id.in_(set(letter_ids)))))
    for letter in letters:
        guarded = (
            update(Letter)
            .where(Letter.id == letter.id, Letter.printed_at.is_(None))
            .values(printed_at=now, printed_by=staff.username)
            .execution_options(synchronize_session=False)
        )
        if rows_changed(session, guarded) == 1:
            after = {"letter": letter.id}
            audit.record(session, staff, PRINTED, now, patron_id=letter.patron_id, after=after)
            marked += 1
    return marked


def record_opened(
    session: Session, staff: LoginAccount, letters: Iterable[Letter], now: datetime
) -> None:
    """Record in the audit log that this staff member opened these letters (their PDF)."""
    for letter in letters:
        after = {"letter": letter.id}
        audit.record(session, staff, OPENED, now, patron_id=letter.patron_id, after=after)


def _letters() -> Select[Letter]:
    """Letters with their patron, the patron's branch and the subscription loaded."""
    return select(Letter).options(
        joinedload(Letter.patron).joinedload(Patron.home_branch),
        joinedload(Letter.subscription).joinedload(Subscription.type),
    )
