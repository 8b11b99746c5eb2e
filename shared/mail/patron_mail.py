"""Mails to a patron: where they go, rendered in the patron's language (now, or by the worker),
queued once per key."""

import io
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import segno
from sqlalchemy.orm import Session

from shared import tokens
from shared.mail.outbox import enqueue, enqueue_unrendered
from shared.mail.render import render_mail, render_subject
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


def queue_mail_later(
    session: Session,
    mail: MailSettings,
    name: str,
    to: str,
    patron: Patron,
    stored: dict[str, Any],
    now: datetime,
    key: str,
) -> None:
    """Put a mail in the outbox once per key for the worker to render when it sends it (from
    `stored`, through the kind's loader: shared/mail/later.py); only its subject now, which
    the desk lists."""
    context = {"patron": patron, "branch": patron.home_branch, **stored}
    subject = render_subject(name, patron.locale, context)
    enqueue_unrendered(
        session,
        {"sender": mail.sender, "context": stored},
        kind=name,
        to=to,
        subject=subject,
        dedupe_key=key,
        locale=patron.locale,
        now=now,
        patron_id=patron.id,
    )


def qr_png(text: str) -> bytes:
    """A QR code of the text as a PNG image."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()
