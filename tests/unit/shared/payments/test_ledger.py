"""The ledger: what a patron owes is the sum of charges, payments and refunds, each booked once."""

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from shared.clock import ManualClock
from shared.models.ledger import EntryType
from shared.models.payment import Refund, RefundStatus
from shared.payments import ledger
from tests.support.factories import create_patron, create_payment


def test_charges_minus_payments_plus_refunds_is_what_is_owed(
    db_session: Session, clock: ManualClock
) -> None:
    now = clock.now()
    patron = create_patron(db_session, None, now)
    ledger.charge(db_session, patron.id, Decimal("58.00"), "Basis", "subscription:1", now)
    ledger.charge(db_session, patron.id, Decimal("0.35"), "Te laat", "fine:1", now)
    assert ledger.balance(db_session, patron.id) == Decimal("58.35")
    payment = create_payment(db_session, patron, now, amount=Decimal("58.35"))
    ledger.record_payment(db_session, payment, now)
    assert ledger.balance(db_session, patron.id) == Decimal("0.00")
    refund = Refund(
        payment_id=payment.id,
        idempotency_key="refund-test",
        amount=Decimal("10.00"),
        description="Teveel",
        status=RefundStatus.REFUNDED,
        created_at=now,
        updated_at=now,
    )
    db_session.add(refund)
    db_session.flush()
    ledger.record_refund(db_session, refund, payment, now)
    assert ledger.balance(db_session, patron.id) == Decimal("10.00")
    kinds = [entry.entry_type for entry in ledger.entries(db_session, patron.id)]
    assert kinds == [EntryType.CHARGE, EntryType.CHARGE, EntryType.PAYMENT, EntryType.REFUND]


def test_the_same_booking_twice_counts_once(db_session: Session, clock: ManualClock) -> None:
    now = clock.now()
    patron = create_patron(db_session, None, now)
    payment = create_payment(db_session, patron, now, amount=Decimal("5.00"))
    for _ in range(3):
        ledger.charge(db_session, patron.id, Decimal("5.00"), "Boete", "fine:7", now)
        ledger.record_payment(db_session, payment, now)
    assert len(ledger.entries(db_session, patron.id)) == 2
    assert ledger.balance(db_session, patron.id) == Decimal("0.00")


def test_paying_more_than_owed_leaves_the_library_owing(
    db_session: Session, clock: ManualClock
) -> None:
    now = clock.now()
    patron = create_patron(db_session, None, now)
    ledger.record_payment(db_session, create_payment(db_session, patron, now), now)
    assert ledger.balance(db_session, patron.id) == Decimal("-58.00")


@pytest.mark.parametrize("amount", [Decimal("0.00"), Decimal("-1.00"), Decimal("0.004")])
def test_amounts_are_positive_the_type_gives_the_sign(
    db_session: Session, clock: ManualClock, amount: Decimal
) -> None:
    patron = create_patron(db_session, None, clock.now())
    with pytest.raises(ValueError, match="positive"):
        ledger.charge(db_session, patron.id, amount, "Niets", "fine:0", clock.now())


def test_money_is_never_a_float(db_session: Session, clock: ManualClock) -> None:
    patron = create_patron(db_session, None, clock.now())
    with pytest.raises(TypeError):
        ledger.charge(db_session, patron.id, 5.0, "Boete", "fine:f", clock.now())  # type: ignore[arg-type]


def test_a_payment_without_patron_cannot_be_credited(
    db_session: Session, clock: ManualClock
) -> None:
    payment = create_payment(db_session, None, clock.now())
    with pytest.raises(ValueError, match="no patron"):
        ledger.record_payment(db_session, payment, clock.now())


def test_payments_settle_the_oldest_charges_first_and_a_credit_the_next(
    db_session: Session, clock: ManualClock
) -> None:
    now = clock.now()
    patron = create_patron(db_session, None, now)
    ledger.record_payment(
        db_session, create_payment(db_session, patron, now, amount=Decimal("1.00")), now
    )
    ledger.charge(db_session, patron.id, Decimal("3.00"), "Te laat", "fine:1", now)
    ledger.charge(db_session, patron.id, Decimal("2.50"), "Reservering", "fee:1", now)
    ledger.charge(db_session, patron.id, Decimal("7.00"), "Beschadigd boek", "fine:2", now)
    paid = create_payment(db_session, patron, now, amount=Decimal("3.00"))
    ledger.record_payment(db_session, paid, now)
    still_open = [(c.description, c.amount) for c in ledger.open_charges(db_session, patron.id)]
    assert still_open == [("Reservering", Decimal("1.50")), ("Beschadigd boek", Decimal("7.00"))]
    assert sum(amount for _, amount in still_open) == ledger.balance(db_session, patron.id)


def test_the_balances_of_several_patrons_are_each_ones_balance(
    db_session: Session, clock: ManualClock
) -> None:
    now = clock.now()
    owing, paid, untouched = (create_patron(db_session, None, now) for _ in range(3))
    for patron, key in ((owing, "fine:1"), (paid, "fine:2")):
        ledger.charge(db_session, patron.id, Decimal("12.50"), "Te laat", key, now)
    ledger.record_payment(
        db_session, create_payment(db_session, paid, now, amount=Decimal("20")), now
    )
    ids = [owing.id, paid.id, untouched.id]
    assert ledger.balances(db_session, ids) == {
        patron_id: ledger.balance(db_session, patron_id) for patron_id in ids
    }
    assert ledger.balances(db_session, ids)[paid.id] == Decimal("-7.50")
