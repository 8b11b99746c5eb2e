"""Activation of a paid registration: the patron record, the subscription and the three mails."""

import logging
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import tokens
from shared.accounts.confirmation import queue_account_confirmation
from shared.cards import collection_codes
from shared.cards.numbers import SYSTEM_PREFIX, TEMPORARY_PREFIX, mint_number
from shared.mail.patron_mail import qr_png, queue_mail
from shared.mail.settings import MailSettings
from shared.models.catalogue import Branch
from shared.models.patron import Patron, PaymentPlan, Subscription
from shared.models.payment import Payment, SequenceType
from shared.models.registration import Registration
from shared.patrons.changes import collect_from_next_period
from shared.patrons.name_keys import index_names
from shared.patrons.subscriptions import valid_through
from shared.payments import ledger
from shared.payments.registration_costs import book_registration_costs
from shared.signup.registration import PersonalDetails, claim_completion, signup_costs
from shared.timeutil import local_today

log = logging.getLogger(__name__)


def activate_registration(
    session: Session,
    registration: Registration,
    payment: Payment,
    mail: MailSettings,
    now: datetime,
) -> Patron | None:
    """Turn a paid registration into a patron exactly once; None if another caller did."""
    if not claim_completion(session, registration.id, now):
        # Another payment completed this registration first: this one is to be refunded.
        session.refresh(registration)
        payment.surplus, payment.patron_id = True, registration.patron_id
        ledger.record_payment(session, payment, now)
        log.warning("surplus payment %s for completed registration", payment.reference)
        return None
    session.refresh(registration)
    patron = _create_patron(session, registration, payment, now)
    subscription = patron.subscriptions[0]
    registration.patron_id = payment.patron_id = patron.id
    payment.subscription_id, payment.period_start = subscription.id, subscription.start_date
    book_registration_costs(session, subscription, signup_costs(registration), now)
    ledger.record_payment(session, payment, now)
    _queue_mails(session, patron, registration, mail, now)
    session.flush()
    return patron


def _create_patron(
    session: Session, registration: Registration, payment: Payment, now: datetime
) -> Patron:
    """The patron record and first subscription from the registration's details."""
    details = PersonalDetails.from_json(registration.details or {})
    subscription_type = registration.subscription_type
    branch = session.scalar(select(Branch).where(Branch.code == registration.branch_code))
    values = details.to_json() | {"birth_date": details.birth_date}
    patron = Patron(
        **values, home_branch=branch, login_account=registration.login_account, created_at=now
    )
    patron.locale = registration.locale
    account = registration.login_account
    assert account is not None and account.email is not None  # set_account() gave it both
    patron.library_email = details.library_email or account.email
    patron.lending_blocked = True
    give_customer_number(session, patron, subscription_type.has_card)
    patron.subscriptions.append(_first_subscription(registration, payment, local_today(now)))
    patron.mollie_customer_id = payment.customer_id
    session.add(patron)
    session.flush()
    index_names(session, patron)
    return patron


def _first_subscription(registration: Registration, payment: Payment, start: date) -> Subscription:
    """The first period, from `start` and paid now; after a `first` payment the provider
    collects from the next one.

    The payment decides, not the registration: the patron may have switched plans after
    starting the checkout that was paid in the end."""
    subscription_type = registration.subscription_type
    end = valid_through(subscription_type, start)
    subscription = Subscription(
        type=subscription_type,
        start_date=start,
        end_date=end,
        price=subscription_type.price,
        paid_by=PaymentPlan.ONCE,
    )
    if payment.sequence_type == SequenceType.FIRST and payment.customer_id:
        subscription.paid_by = PaymentPlan.DIRECT_DEBIT
        collect_from_next_period(subscription)
    return subscription


def give_customer_number(session: Session, patron: Patron, has_card: bool) -> None:
    """A temporary customer number until a card is issued; a system number for Digital only."""
    number = mint_number(_prefix(has_card), lambda n: _number_taken(session, n))
    if has_card:
        patron.temporary_number = number
    else:
        patron.system_number = number


def _prefix(has_card: bool) -> str:
    """The prefix of the customer number of a patron with or without a card."""
    return TEMPORARY_PREFIX if has_card else SYSTEM_PREFIX


def _number_taken(session: Session, number: str) -> bool:
    """Whether a patron already has this number."""
    query = select(Patron.id).where(
        (Patron.temporary_number == number) | (Patron.system_number == number)
    )
    return session.scalar(query) is not None


def _queue_mails(
    session: Session, patron: Patron, registration: Registration, mail: MailSettings, now: datetime
) -> None:
    """Queue the confirmation mails and the welcome mail in the patron's language."""
    account = registration.login_account
    assert account is not None and account.email is not None  # set_account() gave it both
    if account.confirmed_at is None:
        queue_account_confirmation(session, account, patron, mail, now)
    if patron.library_email.casefold() != account.email.casefold():
        payload = {"patron": patron.id, "email": patron.library_email}
        token = tokens.make_token(mail.secret_key, tokens.CONFIRM_LIBRARY_EMAIL, payload, now)
        context = {"url": mail.confirm_library_email_url(token)}
        to = patron.library_email
        queue_mail(session, mail, "confirm_library_email", to, patron, context, now)
    _queue_welcome(session, patron, account.email, mail, now)


def _queue_welcome(
    session: Session, patron: Patron, email: str, mail: MailSettings, now: datetime
) -> None:
    """The welcome mail: number, e-mail, branch, and for card patrons the kiosk QR code and the
    short code to type instead."""
    subscription = patron.subscriptions[0]
    context = {"number": patron.customer_number, "email": email, "branch": patron.home_branch}
    context["username"] = patron.login_account.username if patron.login_account else ""
    context |= {"has_card": subscription.type.has_card, "subscription": subscription}
    images: dict[str, bytes] = {}
    if subscription.type.has_card:
        payload = {"patron": patron.id}
        token = tokens.make_token(mail.secret_key, tokens.CARD_COLLECTION, payload, now)
        context["collection_code"] = collection_codes.issue_code(
            session, mail.secret_key, patron, now
        )
        context["code_until"] = local_today(now + collection_codes.LIFETIME)
        images["qr"] = qr_png(token)
    queue_mail(session, mail, "welcome", email, patron, context, now, images)
