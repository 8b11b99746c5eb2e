"""Mails to a patron: where they go, rendered in the patron's language (now, or by the worker),
queued once per key."""

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import segno
from sqlalchemy.orm import Session

from shared import tokens
from shared.mail.outbox import enqueue, enqueue_unrendered, unrendered
from shared.mail.render import render_mail, subject_renderer
from shared.mail.settings import MailSettings
from shared.models.mail import OutboxMail
from shared.models.patron import Patron


def patron_email(patron: Patron) -> str | None:
    """Where mails to the patron go: the library's address for them, else their login's."""
    account = patron.login_account
    return patron.library_email or (account.email if account else None) or None


def payment_mail_address(patron: Patron) -> str:
    """Where mails about paying go: the login's e-mail; a login made at the desk has none until
    its first use, then the library address."""
    account = patron.login_account
    return account.email if account and account.email else patron.library_email


def pay_link(mail: MailSettings, subscription_id: int, start: date, now: datetime) -> str:
    """The link that lets the patron pay one unpaid period by iDEAL."""
    period = {"subscription": subscription_id, "period": str(start)}
    return mail.pay_instead_url(tokens.make_token(mail.secret_key, tokens.PAY_INSTEAD, period, now))


def queue_mail(
    session: Session,
    mail: MailSettings,
    name: str,
    to: str,
    patron: Patron,
    context: Mapping[str, object],
    now: datetime,
    images: dict[str, bytes] | None = None,
    key: str | None = None,
    locale: str | None = None,
) -> OutboxMail:
    """Render one mail in `locale` (the patron's language if None) and put it in the outbox
    once per key; the outbox row (made now, or the one of that key)."""
    language = locale or patron.locale
    context = {"patron": patron, "branch": patron.home_branch, **context}
    message = render_mail(name, language, to, context, mail.sender, images or None, now=now)
    dedupe_key = key or f"{name}:patron:{patron.id}"
    return enqueue(
        session,
        message,
        kind=name,
        dedupe_key=dedupe_key,
        locale=language,
        now=now,
        patron_id=patron.id,
    )


@dataclass(frozen=True)
class LaterMail:
    """A mail for the worker to render: to whom, the patron, what it shows (JSON), its key."""

    to: str
    patron: Patron
    stored: dict[str, Any]
    key: str


def queue_mails_later(
    session: Session, mail: MailSettings, name: str, mails: Sequence[LaterMail], now: datetime
) -> None:
    """Put the mails in the outbox once per key (in one statement) for the worker to render
    when it sends them (from what is stored, through the kind's loader: shared/mail/later.py);
    only their subjects now, which the desk lists."""
    subjects = {later.patron.locale: subject_renderer(name, later.patron.locale) for later in mails}
    rows = [
        unrendered(
            {"sender": mail.sender, "context": later.stored},
            kind=name,
            to=later.to,
            subject=subjects[later.patron.locale](_context(later)),
            dedupe_key=later.key,
            locale=later.patron.locale,
            now=now,
            patron_id=later.patron.id,
        )
        for later in mails
    ]
    enqueue_unrendered(session, rows)


def _context(later: LaterMail) -> dict[str, object]:
    """The context a later mail's subject is rendered in."""
    return {"patron": later.patron, "branch": later.patron.home_branch, **later.stored}


def qr_png(text: str) -> bytes:
    """A QR code of the text as a PNG image."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()
