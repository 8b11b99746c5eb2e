"""Chargebacks: money a payer's bank took back from a paid payment (a reversed or late-failed
direct debit, a disputed card payment), recorded and charged to the patron once each."""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select, update
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
    """Record a chargeback and charge its amount to the patron, once; None if known already."""
    values = {
        "payment_id": payment.id,
        "provider_id": remote.id,
        "amount": remote.amount,
        "reason": remote.reason[:255],
        "received_at": remote.created_at,
        "recorded_at": now,
    }
    session.flush()
    if not insert_or_ignore(session, Chargeback, values):
        return None
    session.execute(
        update(Payment)
        .where(Payment.id == payment.id)
        .values(amount_charged_back=Payment.amount_charged_back + remote.amount)
        .execution_options(synchronize_session=False)
    )
    session.refresh(payment)
    _charge(session, payment, remote, now)
    log.warning(
        "chargeback %s of %s on payment %s (%s)",
        remote.id,
        remote.amount,
        payment.reference,
        remote.reason or "no reason given",
    )
    return session.scalars(select(Chargeback).where(Chargeback.provider_id == remote.id)).one()


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


def unknown_by_payment(
    session: Session, remote: Iterable[ProviderChargeback]
) -> dict[str, list[ProviderChargeback]]:
    """The chargebacks not recorded yet, by the provider's payment id."""
    items = list(remote)
    known = set(
        session.scalars(
            select(Chargeback.provider_id).where(Chargeback.provider_id.in_([c.id for c in items]))
        )
    )
    new: dict[str, list[ProviderChargeback]] = {}
    for item in items:
        if item.id not in known:
            new.setdefault(item.payment_id, []).append(item)
    return new


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
