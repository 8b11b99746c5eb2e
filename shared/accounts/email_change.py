"""A login account's e-mail address: changed only once the new address is confirmed, and set up
on the first login of an account the desk made without one."""

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared import tokens
from shared.accounts.changes import set_own_password
from shared.errors import DomainError
from shared.mail.outbox import enqueue
from shared.mail.patron_mail import patron_email, queue_mail
from shared.mail.render import render_mail
from shared.mail.settings import MailSettings
from shared.models.account import LoginAccount
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from shared.patrons.lookup import linked_patrons
from shared.text import require_text
from shared.timeutil import age_on, local_today

NEWSLETTER_AGE = 16
# How long a link to confirm a new library e-mail works.
LINK_VALID = timedelta(seconds=tokens.MAX_AGES[tokens.CONFIRM_LIBRARY_EMAIL])


@dataclass(frozen=True)
class FirstLogin:
    """What a patron gives on the first login with a card number."""

    email: str
    password: str
    first_name: str
    surname: str
    postcode_digits: str
    terms_accepted: bool
    newsletter: bool


def needs_setup(account: LoginAccount) -> bool:
    """An account without e-mail, that has not asked for one yet: the first-login form."""
    return not account.email and not account.pending_email


def may_get_newsletter(session: Session, account: LoginAccount, now: datetime) -> bool:
    """Whether the newsletter may be offered: only from 16."""
    today = local_today(now)
    return any(
        age_on(p.birth_date, today) >= NEWSLETTER_AGE for p in linked_patrons(session, account)
    )


def complete_first_login(
    session: Session, account: LoginAccount, answers: FirstLogin, mail: MailSettings, now: datetime
) -> None:
    """Check who this is against the patron record, then set password, terms and e-mail."""
    patron = _matching_patron(session, account, answers)
    if not answers.terms_accepted:
        raise DomainError("terms_required")
    set_own_password(session, account, answers.password, now)
    account.terms_accepted_at = now
    patron.newsletter = answers.newsletter and may_get_newsletter(session, account, now)
    request_email_change(session, account, answers.email, mail, now)


def _matching_patron(session: Session, account: LoginAccount, answers: FirstLogin) -> Patron:
    """The linked patron whose names and postcode digits match what was typed (the surname
    with or without its prefix, accents and spaces aside; no first name on record: not asked)."""
    for patron in linked_patrons(session, account):
        surnames = {_plain(patron.surname), _plain(f"{patron.prefix} {patron.surname}")}
        same = (
            (not patron.first_name or _plain(patron.first_name) == _plain(answers.first_name))
            and _plain(answers.surname) in surnames
            and patron.postcode[:4] == answers.postcode_digits.strip()
        )
        if same:
            return patron
    raise DomainError("details_do_not_match")


def _plain(name: str) -> str:
    """A name as compared: without accents, case, spaces, dots, dashes or apostrophes."""
    letters = unicodedata.normalize("NFKD", name)
    return "".join(c for c in letters if c.isalnum()).casefold()


def request_email_change(
    session: Session,
    account: LoginAccount,
    email: str,
    mail: MailSettings,
    now: datetime,
    key: str | None = None,
) -> OutboxMail:
    """Keep the new address aside and mail it a confirmation link (24 hours; once per key, by
    default an hour); the outbox row."""
    require_text("email", email, LoginAccount.email)
    account.pending_email = email
    payload = {"account": account.id, "email": email}
    token = tokens.make_token(mail.secret_key, tokens.CONFIRM_NEW_EMAIL, payload, now)
    context = {"username": account.username, "url": mail.confirm_new_email_url(token)}
    message = render_mail("confirm_new_email", account.locale, email, context, mail.sender, now=now)
    key = key or f"confirm_new_email:account:{account.id}:{email.casefold()}:{now:%Y-%m-%dT%H}"
    return enqueue(
        session,
        message,
        kind="confirm_new_email",
        dedupe_key=key,
        locale=account.locale,
        now=now,
        account_id=account.id,
    )


def request_library_email_change(
    session: Session, patron: Patron, email: str, mail: MailSettings, now: datetime
) -> None:
    """Keep the new library e-mail aside until the patron confirms it from that address (24
    hours), and tell the address mails go to now that it is being changed."""
    require_text("library_email", email, Patron.library_email)
    old = patron_email(patron)
    patron.pending_library_email = email
    send_library_email_link(session, patron, mail, now)
    if old and old.casefold() != email.casefold():
        tell_old_address(session, patron, old, mail, now)


def send_library_email_link(
    session: Session, patron: Patron, mail: MailSettings, now: datetime
) -> None:
    """Mail the waiting library e-mail a link to confirm it, valid from now for 24 hours (once
    an hour)."""
    email = patron.pending_library_email
    assert email is not None  # only a waiting address is sent a link
    payload = {"patron": patron.id, "email": email}
    token = tokens.make_token(mail.secret_key, tokens.CONFIRM_LIBRARY_EMAIL, payload, now)
    context = {"url": mail.confirm_library_email_url(token)}
    key = f"confirm_library_email:patron:{patron.id}:{email.casefold()}:{now:%Y-%m-%dT%H}"
    queue_mail(session, mail, "confirm_library_email", email, patron, context, now, key=key)


def waiting_link_expired(session: Session, patron: Patron, now: datetime) -> bool:
    """Whether the patron has a waiting library e-mail whose newest link no longer works (or
    was never mailed)."""
    if not patron.pending_library_email:
        return False
    sent = session.scalar(
        select(func.max(OutboxMail.created_at)).where(
            OutboxMail.patron_id == patron.id,
            OutboxMail.kind == "confirm_library_email",
            OutboxMail.to_address == patron.pending_library_email,
        )
    )
    return sent is None or sent + LINK_VALID <= now


def login_uses(patron: Patron, address: str) -> bool:
    """Whether the patron's login account has this e-mail address (to log in and be mailed)."""
    account = patron.login_account
    email = account.email if account else None
    return bool(address) and (email or "").casefold() == address.casefold()


def tell_old_address(
    session: Session, patron: Patron, old: str, mail: MailSettings, now: datetime
) -> None:
    """Mail the address used until now that the membership's e-mail is being changed (or
    removed), and what that means for a login account with the same address, so that a change
    the patron did not ask for is noticed in time."""
    pending = patron.pending_library_email
    context = {"pending": pending is not None, "login_uses_it": login_uses(patron, old)}
    key = f"library_email_changed:patron:{patron.id}:{(pending or '').casefold()}:{now:%Y-%m-%dT%H}"
    queue_mail(session, mail, "library_email_changed", old, patron, context, now, key=key)
