"""Put a mail in the outbox (rendered, or to be rendered by the worker), in the caller's
transaction, at most once per dedupe key."""

from collections.abc import Sequence
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.db import insert_all_or_ignore, insert_ignoring
from shared.models.mail import MailStatus, OutboxMail


def enqueue(
    session: Session,
    message: EmailMessage,
    *,
    kind: str,
    dedupe_key: str,
    locale: str,
    now: datetime,
    patron_id: int | None = None,
    account_id: int | None = None,
) -> OutboxMail:
    """Add a pending outbox row for the message (to this patron and/or login, when given), or
    return the existing row with this key."""
    if message["To"] is None or message["Subject"] is None:
        raise ValueError("an outbox mail needs To and Subject headers")
    values = {
        "kind": kind,
        "to_address": parseaddr(str(message["To"]))[1],
        "subject": str(message["Subject"]),
        "message": stored_bytes(message),
    }
    return _insert_once(session, _pending(values, dedupe_key, locale, now, patron_id, account_id))


def stored_bytes(message: EmailMessage) -> bytes:
    """The message as the outbox keeps it and the worker sends it."""
    # SMTP line endings: servers may reject bare LF, and CRLF is what RFC 5322 specifies.
    return message.as_bytes(policy=policy.SMTP)


def unrendered(
    render_from: dict[str, Any],
    *,
    kind: str,
    to: str,
    subject: str,
    dedupe_key: str,
    locale: str,
    now: datetime,
    patron_id: int | None = None,
) -> dict[str, Any]:
    """The pending outbox row of a mail that the worker renders when it sends it
    (shared/mail/later.py); an address no message could carry is refused."""
    Address(addr_spec=to)  # raises as the message's To header would
    values = {"kind": kind, "to_address": to, "subject": subject, "render_from": render_from}
    return _pending(values, dedupe_key, locale, now, patron_id, None)


def enqueue_unrendered(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Add the rows made by `unrendered` (in one statement), leaving out any whose key is there."""
    # Into the table: a job queues thousands, and the ORM's insert costs several times more.
    insert_all_or_ignore(session, OutboxMail, list(rows))


def _insert_once(session: Session, row: dict[str, Any]) -> OutboxMail:
    """Insert the row unless one has its key; the row of the key."""
    session.flush()
    # The row back from the INSERT itself (one round trip); read only when the key was there.
    statement = insert_ignoring(session, OutboxMail).returning(OutboxMail)
    mail = session.scalars(statement, row).one_or_none()
    if mail is not None:
        return mail
    key = row["dedupe_key"]
    return session.scalars(select(OutboxMail).where(OutboxMail.dedupe_key == key)).one()


def _pending(
    values: dict[str, Any],
    dedupe_key: str,
    locale: str,
    now: datetime,
    patron_id: int | None,
    account_id: int | None,
) -> dict[str, Any]:
    """The values of a new pending row: due now, never tried."""
    return {
        **values,
        "created_at": now,
        "dedupe_key": dedupe_key,
        "locale": locale,
        "status": MailStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "patron_id": patron_id,
        "account_id": account_id,
    }
