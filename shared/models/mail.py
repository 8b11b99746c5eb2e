"""The mail outbox: messages waiting for the sender worker, rendered or to be rendered by it."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, enum_column


class MailStatus(StrEnum):
    """Where an outbox mail is in its life: waiting, being sent, delivered or given up."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMail(Base):
    """One mail, enqueued in the domain change's transaction and sent by the worker (which
    renders it first when it was queued unrendered)."""

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_mail_status_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(998))
    locale: Mapped[str] = mapped_column(String(10))
    message: Mapped[bytes | None] = mapped_column(LargeBinary)  # None until rendered at sending
    # What the worker renders a mail queued unrendered from (shared/mail/later.py): its sender
    # and the kind's stored context; None for a mail rendered when it was queued.
    render_from: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[MailStatus] = mapped_column(
        enum_column(MailStatus, "status", 10), default=MailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    # Whom the mail was for, so the desk sees a patron's mails. No foreign keys: a mail outlives
    # the unconfirmed login it was for (the purge removes those logins, the outbox keeps rows).
    patron_id: Mapped[int | None] = mapped_column(index=True)
    account_id: Mapped[int | None] = mapped_column(index=True)
