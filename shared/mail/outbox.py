"""Put a rendered mail in the outbox, in the caller's transaction, at most once per dedupe key."""

from email import policy
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shared.models.mail import MailStatus, OutboxMail
from shared.timeutil import utcnow

_UPSERT_INSERTS: dict[str, Any] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def enqueue(
    session: Session, message: EmailMessage, *, kind: str, dedupe_key: str, locale: str
) -> OutboxMail:
    """Add a pending outbox row for the message, or return the existing row with this key."""
    if message["To"] is None or message["Subject"] is None:
        raise ValueError("an outbox mail needs To and Subject headers")
    now = utcnow()
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
    }
    session.flush()
    # ON CONFLICT DO NOTHING holds under concurrent enqueues without a savepoint dance.
    session.execute(_insert_for(session)(OutboxMail).values(values).on_conflict_do_nothing())
    return session.scalars(select(OutboxMail).where(OutboxMail.dedupe_key == dedupe_key)).one()


def _insert_for(session: Session) -> Any:
    """The dialect's INSERT construct that supports ON CONFLICT DO NOTHING."""
    dialect = session.get_bind().dialect.name
    if dialect not in _UPSERT_INSERTS:
        raise NotImplementedError(f"the mail outbox does not support {dialect}")
    return _UPSERT_INSERTS[dialect]
