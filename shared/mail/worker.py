"""The sender worker: claim due outbox rows, send them, record the outcome, back off on failure."""

import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.parser import BytesHeaderParser
from email.utils import parseaddr

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from shared.clock import SYSTEM_CLOCK, Clock
from shared.db import commits_own_work, rows_changed
from shared.mail.later import Loaders, render_stored
from shared.mail.transport import MailTransportError, Transport
from shared.models.mail import MailStatus, OutboxMail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 25
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
NO_LOADERS: Loaders = {}


@dataclass(frozen=True)
class SendReport:
    """What one send_pending_committing pass did."""

    sent: int = 0
    failed: int = 0
    retried: int = 0


@commits_own_work
def send_pending_committing(
    session: Session,
    transport: Transport,
    *,
    now: datetime,
    batch: int = 50,
    lease_seconds: int = 300,
    loaders: Loaders = NO_LOADERS,
) -> SendReport:
    """Claim up to `batch` due mails, render those queued unrendered (through the kind's
    loader), send each, and commit every outcome on its own (the caller must have nothing
    uncommitted)."""
    claimed = [
        mail_id
        for mail_id in due_ids(session, now, batch)
        if claim(session, mail_id, now, lease_seconds)
    ]
    session.commit()
    outcomes = Counter(_send_one(session, transport, mail_id, now, loaders) for mail_id in claimed)
    return SendReport(
        sent=outcomes[MailStatus.SENT],
        failed=outcomes[MailStatus.FAILED],
        retried=outcomes[MailStatus.PENDING],
    )


def due_ids(session: Session, now: datetime, batch: int) -> list[int]:
    """The ids of up to `batch` due rows, longest waiting first."""
    query = select(OutboxMail.id).where(_due(now))
    query = query.order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(batch)
    return list(session.scalars(query))


def claim(session: Session, mail_id: int, now: datetime, lease_seconds: int) -> bool:
    """Lease one due row for sending; False when another worker claimed it first."""
    # The WHERE re-checks dueness inside the UPDATE, so of two racing workers only one matches.
    claimed = rows_changed(
        session,
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, _due(now))
        .values(status=MailStatus.SENDING, lease_until=now + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False),
    )
    return claimed == 1


def backoff(attempts: int) -> timedelta:
    """The wait after the given number of failed attempts: 1, 2, 4, 8 … minutes, at most 1 h."""
    # An int, as attempts >= 1; mypy types int ** int as Any, since a negative power is a float.
    doublings: int = 2 ** (attempts - 1)
    return min(FIRST_BACKOFF * doublings, MAX_BACKOFF)


def run_worker(
    session_factory: Callable[[], Session],
    transport: Transport,
    interval: float = 5.0,
    stop_event: threading.Event | None = None,
    clock: Clock = SYSTEM_CLOCK,
    loaders: Loaders = NO_LOADERS,
) -> None:
    """Send due mails (rendering those queued unrendered through `loaders`) every `interval`
    seconds until stop_event is set; survive any error."""
    stop_event = stop_event or threading.Event()
    logger.info("mail worker started")
    while not stop_event.is_set():
        try:
            with session_factory() as session:
                report = send_pending_committing(
                    session, transport, now=clock.now(), loaders=loaders
                )
            if report != SendReport():
                logger.info(
                    "mail: %d sent, %d retried, %d failed",
                    report.sent,
                    report.retried,
                    report.failed,
                )
        except Exception:
            logger.exception("mail worker pass failed; trying again in %s s", interval)
        clock.wait(stop_event, interval)
    logger.info("mail worker stopped")


def _due(now: datetime) -> ColumnElement[bool]:
    """Rows to send: pending and due, or left in sending by a worker whose lease ran out."""
    return and_(
        OutboxMail.next_attempt_at <= now,
        or_(
            OutboxMail.status == MailStatus.PENDING,
            and_(OutboxMail.status == MailStatus.SENDING, OutboxMail.lease_until <= now),
        ),
    )


def _send_one(
    session: Session, transport: Transport, mail_id: int, now: datetime, loaders: Loaders
) -> MailStatus:
    """Send one claimed mail (rendered first when it was queued unrendered: the message is
    kept) and commit its new status."""
    mail = session.get_one(OutboxMail, mail_id)
    try:
        if mail.message is None:
            mail.message = render_stored(session, mail, loaders)
        sender = _envelope_sender(mail.message)
        transport.send(mail.message, mail.to_address, sender, outbox_id=mail.id)
    except Exception as exc:
        _record_failure(mail, exc, now)
    else:
        mail.status, mail.sent_at, mail.lease_until = MailStatus.SENT, now, None
    session.commit()
    return mail.status


def _record_failure(mail: OutboxMail, exc: Exception, now: datetime) -> None:
    """Count the failed attempt and schedule a retry, or give up after MAX_ATTEMPTS."""
    mail.attempts += 1
    mail.last_error = str(exc) or type(exc).__name__
    mail.lease_until = None
    if mail.attempts >= MAX_ATTEMPTS:
        mail.status = MailStatus.FAILED
        logger.error(
            "mail %d to %s failed for good after %d attempts: %s",
            mail.id,
            mail.to_address,
            mail.attempts,
            mail.last_error,
        )
        return
    mail.status = MailStatus.PENDING
    mail.next_attempt_at = now + backoff(mail.attempts)
    # A transport error is expected weather; anything else is a bug and deserves a traceback.
    log = logger.warning if isinstance(exc, MailTransportError) else logger.exception
    log(
        "mail %d to %s: attempt %d failed, retry at %s: %s",
        mail.id,
        mail.to_address,
        mail.attempts,
        mail.next_attempt_at,
        mail.last_error,
    )


def _envelope_sender(message: bytes) -> str:
    """The bare address in the stored message's From header."""
    headers = BytesHeaderParser(policy=policy.default).parsebytes(message)
    return parseaddr(str(headers["From"]))[1]
