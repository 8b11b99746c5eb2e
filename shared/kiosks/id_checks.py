"""Checking a patron's ID document at a kiosk: the name and birth date read from its chip must
match the record, and the document must not have expired. Only the outcome and the document
type are kept, never the data read."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from shared.errors import DomainError
from shared.kiosks.document_names import surname_matches
from shared.models.id_check import IdCheck, IdCheckOutcome, UnreadableReason
from shared.models.patron import Patron
from shared.timeutil import local_today

DOCUMENT_TYPE = re.compile(r"^[A-Z][A-Z<]?$")
VALID_FOR = timedelta(minutes=15)
RECENT_DAYS = 7  # how far back staff look for checks to follow up


@dataclass(frozen=True)
class DocumentReading:
    """What the kiosk read from a document's chip, for one comparison."""

    document_type: str
    surname: str
    birth_date: date
    expiry_date: date
    sod_hash_ok: bool


def record_reading(
    session: Session, patron: Patron, device_id: int, reading: DocumentReading, now: datetime
) -> IdCheck:
    """Compare a reading with the patron's record and store the outcome."""
    if not DOCUMENT_TYPE.fullmatch(reading.document_type):
        raise DomainError("invalid_document_type")
    return _store(
        session,
        IdCheck(
            patron_id=patron.id,
            kiosk_device_id=device_id,
            checked_at=now,
            outcome=document_outcome(Holder.of(patron), reading, local_today(now)),
            document_type=reading.document_type.rstrip("<"),
        ),
    )


def record_unreadable(
    session: Session, patron: Patron, device_id: int, reason: str, now: datetime
) -> IdCheck:
    """Store that the document could not be read, and why."""
    if reason not in set(UnreadableReason):
        raise DomainError("invalid_reason")
    check = IdCheck(
        patron_id=patron.id,
        kiosk_device_id=device_id,
        checked_at=now,
        outcome=IdCheckOutcome.UNREADABLE,
        reason=UnreadableReason(reason),
    )
    return _store(session, check)


def recently_verified(session: Session, patron: Patron, device_id: int, now: datetime) -> bool:
    """Whether this kiosk verified the patron's document in the last 15 minutes."""
    query = select(IdCheck.id).where(
        IdCheck.patron_id == patron.id,
        IdCheck.kiosk_device_id == device_id,
        IdCheck.outcome == IdCheckOutcome.VERIFIED,
        IdCheck.checked_at >= now - VALID_FOR,
    )
    return session.scalar(query.limit(1)) is not None


def recent_checks(session: Session, since: datetime) -> list[IdCheck]:
    """The checks since a moment, newest first, with their patron and kiosk."""
    query = (
        select(IdCheck)
        .where(IdCheck.checked_at >= since)
        .options(joinedload(IdCheck.patron), joinedload(IdCheck.kiosk))
    )
    return list(session.scalars(query.order_by(IdCheck.checked_at.desc(), IdCheck.id.desc())))


@dataclass(frozen=True)
class Holder:
    """Whom a document must belong to: a name with its prefix, and a birth date."""

    prefix: str
    surname: str
    birth_date: date

    @classmethod
    def of(cls, patron: Patron) -> "Holder":
        """The patron on record."""
        return cls(patron.prefix, patron.surname, patron.birth_date)


def document_outcome(holder: Holder, reading: DocumentReading, today: date) -> IdCheckOutcome:
    """Verified when the chip's data are genuine, the document is valid today (in Amsterdam:
    through its expiry date) and name and birth date are the holder's."""
    if not reading.sod_hash_ok:
        return IdCheckOutcome.INTEGRITY
    if reading.expiry_date < today:
        return IdCheckOutcome.EXPIRED
    same = reading.birth_date == holder.birth_date and surname_matches(
        holder.prefix, holder.surname, reading.surname
    )
    return IdCheckOutcome.VERIFIED if same else IdCheckOutcome.MISMATCH


def _store(session: Session, check: IdCheck) -> IdCheck:
    """Add the check to the session."""
    session.add(check)
    session.flush()
    return check
