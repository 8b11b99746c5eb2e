"""Put a rendered mail in the outbox, in the caller's transaction, at most once per dedupe key."""

from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.db import insert_ignoring
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
        "created_at": now,
        "dedupe_key": dedupe_key,
        "kind": kind,
        "to_address": parseaddr(str(message["To"]))[1],
        "subject": str(message["Subject"]),
        "locale": locale,
        # SMTP line endings: servers may reject bare LF, and CRLF is what RFC 5322 specifies.
        "message": message.as_bytes(policy=policy.SMTP),
        "status": MailStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "patron_id": patron_id,
        "account_id": account_id,
    }
    session.flush()
    # The row back from the INSERT itself (one round trip); read only when the key was there.
    inserted = session.scalars(insert_ignoring(session, OutboxMail).returning(OutboxMail), values)
    mail = inserted.one_or_none()
    if mail is not None:
        return mail
    return session.scalars(select(OutboxMail).where(OutboxMail.dedupe_key == dedupe_key)).one()
