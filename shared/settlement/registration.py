"""Paying for a registration, and what a paid payment sets in motion."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.db import commits_own_work
from shared.mail.settings import MailSettings
from shared.models.catalogue import Branch
from shared.models.patron import PaymentPlan
from shared.models.payment import Payment, PaymentStatus, SequenceType
from shared.models.registration import Registration
from shared.payments.provider import PaymentProvider
from shared.payments.service import (
    PaymentUrls,
    new_payment,
    reusable_payment,
    submit_payment,
)
from shared.settlement.events import process_payment_committing
from shared.signup.registration import PersonalDetails, ready_to_pay, signup_costs


def registration_payments(session: Session, registration: Registration) -> list[Payment]:
    """Every payment attempt of a registration, oldest first."""
    query = select(Payment).where(Payment.registration_id == registration.id)
    return list(session.scalars(query.order_by(Payment.id)))


@commits_own_work
def pay_registration_committing(
    session: Session,
    registration: Registration,
    provider: PaymentProvider,
    urls: PaymentUrls,
    mail: MailSettings,
    now: datetime,
) -> Payment:
    """The payment to send the patron to: the unfinished one, the one just found paid, or new.
    Asking the provider about an unfinished one commits first (see `process_payment_committing`)."""
    ready_to_pay(registration, now)
    amount = signup_costs(registration).total
    payments = registration_payments(session, registration)
    direct_debit = registration.payment_plan == PaymentPlan.DIRECT_DEBIT
    sequence = SequenceType.FIRST if direct_debit else SequenceType.ONEOFF
    payment = reusable_payment(payments, amount, sequence)
    if payment is not None and payment.provider_id is not None:
        # Its checkout may have ended without a webhook reaching us: ask before reusing it.
        process_payment_committing(session, payment, provider, mail, now)
        if payment.status == PaymentStatus.PAID:
            return payment
        payment = reusable_payment(payments, amount, sequence)
    if payment is None:
        customer = ensure_customer(session, registration, provider) if direct_debit else None
        payment = new_payment(
            session,
            f"registration-{registration.public_id}",
            len(payments) + 1,
            now,
            registration_id=registration.id,
            amount=amount,
            description=payment_description(session, registration),
            sequence_type=sequence,
            customer_id=customer,
        )
    return submit_payment(session, payment, provider, urls, registration.locale, now)


def payment_description(session: Session, registration: Registration) -> str:
    """What the patron sees on the bank statement: library and subscription."""
    branch = session.scalar(select(Branch).where(Branch.code == registration.branch_code))
    name = registration.subscription_type.name(registration.locale)
    return f"{branch.name}: {name}" if branch else name


def ensure_customer(session: Session, registration: Registration, provider: PaymentProvider) -> str:
    """The provider customer that will hold the registration's mandate, created once."""
    if registration.mollie_customer_id:
        return registration.mollie_customer_id
    details = PersonalDetails.from_json(registration.details or {})
    name = " ".join(filter(None, (details.initials, details.prefix, details.surname)))
    account = registration.login_account
    email = (account.email or "") if account else ""
    key = f"customer-registration-{registration.public_id}"
    registration.mollie_customer_id = provider.create_customer(
        name, email, registration.locale, key
    )
    session.flush()
    return registration.mollie_customer_id
