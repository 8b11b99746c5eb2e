"""Chargebacks as services: one the bank reverses is booked back once, whichever session sees
it first, and one first seen reversed books nothing."""

from dataclasses import replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.clock import ManualClock
from shared.models.payment import Chargeback, Payment
from shared.payments import ledger
from shared.payments.chargebacks import record_chargeback, record_reversal
from shared.payments.provider import ProviderChargeback
from tests.support.factories import create_patron, create_payment


def test_a_reversal_is_booked_by_one_of_two_sessions(
    db_session: Session, clock: ManualClock
) -> None:
    now = clock.now()
    patron = create_patron(db_session, None, now)
    payment = create_payment(db_session, patron, now, amount=Decimal("5.00"))
    standing = ProviderChargeback("chb_unit", payment.provider_id or "", Decimal("5.00"), "", now)
    record_chargeback(db_session, payment, standing, now)
    db_session.commit()
    reversed_report = replace(standing, reversed_at=now)
    with Session(db_session.get_bind()) as other:
        first = record_reversal(other, other.get_one(Payment, payment.id), reversed_report, now)
        other.commit()
    again = record_reversal(db_session, payment, reversed_report, now)
    assert first is not None and again is None
    db_session.refresh(payment)
    assert payment.amount_charged_back == 0
    assert ledger.balance(db_session, patron.id) == 0  # charged back, and credited back once


def test_a_chargeback_first_seen_reversed_books_nothing(
    db_session: Session, clock: ManualClock
) -> None:
    now = clock.now()
    patron = create_patron(db_session, None, now)
    payment = create_payment(db_session, patron, now, amount=Decimal("5.00"))
    provider_id = payment.provider_id or ""
    report = ProviderChargeback("chb_gone", provider_id, Decimal("5.00"), "", now, reversed_at=now)
    assert record_chargeback(db_session, payment, report, now) is None
    assert record_reversal(db_session, payment, report, now) is None
    assert db_session.scalars(select(Chargeback)).one().reversed_at == now
    assert (payment.amount_charged_back, ledger.entries(db_session, patron.id)) == (0, [])
