"""Chargebacks: money a payer's bank took back from a paid payment (a reversed or late-failed
direct debit, a disputed card payment), recorded and charged to the patron once each; and given
back once when the bank reverses the chargeback."""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from shared.db import insert_or_ignore
from shared.models.ledger import LedgerEntry
from shared.models.patron import Patron
from shared.models.payment import Chargeback, Payment
from shared.payments import ledger
from shared.payments.provider import ProviderChargeback
from shared.text import max_length
from shared.translation import N_, in_language

log = logging.getLogger(__name__)
# How far back reconciliation reads the account's chargebacks (and refunds): a webhook lost
# for up to this long is still caught. Mollie lists the newest first, and both are rare, so a
# pass mostly reads one page. (A payer can reverse a SEPA direct debit for 56 days; that limits
# when a chargeback is made, not how late its webhook may have been lost.)
WINDOW = timedelta(days=60)
RECENT_LIMIT = 200  # the desk's list of recent chargebacks shows at most these
# The ledger line, in the patron's language ("Storno" is the banks' word in Dutch).
TAKEN_BACK = N_("Chargeback: %(description)s")


def record_chargeback(
    session: Session, payment: Payment, remote: ProviderChargeback, now: datetime
) -> Chargeback | None:
    """Record a chargeback and charge its amount to the patron, once; None if known already, or
    if it arrives reversed (taken and given back: nothing is owed, so nothing is booked)."""
    values = {
        "payment_id": payment.id,
        "provider_id": remote.id,
        "amount": remote.amount,
        "reason": remote.reason[:255],
        "received_at": remote.created_at,
        "recorded_at": now,
        "reversed_at": remote.reversed_at,
    }
    session.flush()
    if not insert_or_ignore(session, Chargeback, values):
        return None
    if remote.reversed_at is not None:
        log.info("chargeback %s on payment %s arrived reversed", remote.id, payment.reference)
        return None
    _add_charged_back(session, payment, remote.amount)
    _charge(session, payment, remote, now)
    log.warning(
        "chargeback %s of %s on payment %s (%s)",
        remote.id,
        remote.amount,
        payment.reference,
        remote.reason or "no reason given",
    )
    return session.scalars(select(Chargeback).where(Chargeback.provider_id == remote.id)).one()


def record_reversal(
    session: Session, payment: Payment, remote: ProviderChargeback, now: datetime
) -> Chargeback | None:
    """Note once that the bank gave back a chargeback we hold as standing: the payment is that
    much less charged back and the patron is credited; None if not reversed or noted already."""
    if remote.reversed_at is None:
        return None
    # Only the process whose update sets the moment books the reversal.
    noted = session.scalar(
        update(Chargeback)
        .where(
            Chargeback.provider_id == remote.id,
            Chargeback.payment_id == payment.id,
            Chargeback.reversed_at.is_(None),
        )
        .values(reversed_at=remote.reversed_at)
        .returning(Chargeback.id)
        .execution_options(synchronize_session=False)
    )
    if noted is None:
        return None
    chargeback = session.get_one(Chargeback, noted, populate_existing=True)
    _add_charged_back(session, payment, -chargeback.amount)
    _credit(session, payment, chargeback, now)
    log.warning("chargeback %s on payment %s reversed", remote.id, payment.reference)
    return chargeback


def _add_charged_back(session: Session, payment: Payment, amount: Decimal) -> None:
    """Add to what the bank holds of the payment (a negative amount: what it gave back)."""
    session.execute(
        update(Payment)
        .where(Payment.id == payment.id)
        .values(amount_charged_back=Payment.amount_charged_back + amount)
        .execution_options(synchronize_session=False)
    )
    session.refresh(payment)


def _charge(session: Session, payment: Payment, remote: ProviderChargeback, now: datetime) -> None:
    """What the bank took back is owed again."""
    patron = session.get(Patron, payment.patron_id or 0)
    if patron is None:
        log.error("chargeback %s: payment %s has no patron", remote.id, payment.reference)
        return
    ledger.charge(
        session,
        patron.id,
        remote.amount,
        _ledger_text(patron.locale, payment.description),
        chargeback_key(remote.id),
        now,
        payment.subscription_id,
    )


def chargeback_key(provider_id: str) -> str:
    """The ledger key of what a chargeback charged."""
    return f"chargeback:{provider_id}"


def _ledger_text(locale: str, description: str) -> str:
    """The ledger line in the patron's language, shortened to fit (a kiosk payment's
    description may fill the column already)."""
    text = in_language(locale, TAKEN_BACK, description=description)
    limit = max_length(LedgerEntry.description)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _credit(session: Session, payment: Payment, chargeback: Chargeback, now: datetime) -> None:
    """What the bank gave back is no longer owed: its charge (same words) is paid off."""
    patron = session.get(Patron, payment.patron_id or 0)
    if patron is None:
        return  # nothing was charged (see _charge)
    ledger.credit(
        session,
        patron.id,
        chargeback.amount,
        _ledger_text(patron.locale, payment.description),
        f"chargeback-reversed:{chargeback.provider_id}",
        now,
        payment.subscription_id,
    )


def chargebacks_may_have_changed(session: Session, payment: Payment, reported: Decimal) -> bool:
    """Whether to read a payment's chargebacks, by what the provider reports charged back: one
    we hold still stands (the bank may have given it back), or the total is not what we
    recorded (reversed ones too)."""
    # Mollie's documentation does not say whether a reversal lowers `amountChargedBack`: either
    # way the list is read only while something can change, not on every collection's report.
    if payment.amount_charged_back > 0:
        return True
    recorded = select(func.coalesce(func.sum(Chargeback.amount), 0)).where(
        Chargeback.payment_id == payment.id
    )
    return reported > 0 and reported != session.scalar(recorded)


def news_by_payment(
    session: Session, remote: Iterable[ProviderChargeback]
) -> dict[str, list[ProviderChargeback]]:
    """The chargebacks not recorded yet, or recorded as standing and now reported reversed, by
    the provider's payment id."""
    items = list(remote)
    query = select(Chargeback.provider_id, Chargeback.reversed_at).where(
        Chargeback.provider_id.in_([c.id for c in items])
    )
    known: dict[str, datetime | None] = {pid: at for pid, at in session.execute(query)}
    news: dict[str, list[ProviderChargeback]] = {}
    for item in items:
        if item.id not in known or (item.reversed_at is not None and known[item.id] is None):
            news.setdefault(item.payment_id, []).append(item)
    return news


def payments_by_provider_id(session: Session, provider_ids: Iterable[str]) -> list[Payment]:
    """Our payments among these provider ids (another installation's are not ours)."""
    query = select(Payment).where(Payment.provider_id.in_(list(provider_ids)))
    return sorted(session.scalars(query), key=lambda payment: payment.id)


def recent_chargebacks(
    session: Session, since: datetime, limit: int = RECENT_LIMIT
) -> list[tuple[Chargeback, Payment, Patron | None]]:
    """The newest `limit` chargebacks recorded since `since`, with their payment and patron."""
    query = (
        select(Chargeback, Payment, Patron)
        .join(Payment, Chargeback.payment_id == Payment.id)
        .outerjoin(Patron, Payment.patron_id == Patron.id)
        .where(Chargeback.recorded_at >= since)
        .order_by(Chargeback.recorded_at.desc(), Chargeback.id.desc())
        .limit(limit)
    )
    return [(chargeback, payment, patron) for chargeback, payment, patron in session.execute(query)]
