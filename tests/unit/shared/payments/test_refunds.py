"""Refund reservation: never more than was paid, a refusal or failure frees its amount, and a
refund is booked on the ledger once."""

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from shared.clock import ManualClock
from shared.errors import DomainError
from shared.models.payment import Payment, PaymentStatus, RefundStatus
from shared.payments import ledger
from shared.payments.refunds import apply_refund_status, reserve_refund
from tests.support.factories import create_patron, create_payment


@pytest.fixture
def paid(db_session: Session, clock: ManualClock) -> Payment:
    """A paid payment of € 58.00."""
    patron = create_patron(db_session, None, clock.now())
    return create_payment(db_session, patron, clock.now(), amount=Decimal("58.00"))


def test_without_an_amount_everything_left_is_reserved(
    db_session: Session, clock: ManualClock, paid: Payment
) -> None:
    first = reserve_refund(db_session, paid, Decimal("8.00"), "Deel", clock.now())
    rest = reserve_refund(db_session, paid, None, "Rest", clock.now())
    assert (first.amount, rest.amount) == (Decimal("8.00"), Decimal("50.00"))
    assert paid.amount_refunded == Decimal("58.00")
    assert rest.status == RefundStatus.REQUESTED and rest.created_at == clock.now()


def test_more_than_is_left_is_refused_naming_what_is_left(
    db_session: Session, clock: ManualClock, paid: Payment
) -> None:
    reserve_refund(db_session, paid, Decimal("50.00"), "Deel", clock.now())
    with pytest.raises(DomainError) as refused:
        reserve_refund(db_session, paid, Decimal("8.01"), "Te veel", clock.now())
    assert refused.value.code == "refund_too_much"
    assert refused.value.params["available"] == Decimal("8.00")
    assert paid.amount_refunded == Decimal("50.00")


@pytest.mark.parametrize("amount", [Decimal("0.00"), Decimal("-5.00")])
def test_nothing_or_less_is_no_refund(
    db_session: Session, clock: ManualClock, paid: Payment, amount: Decimal
) -> None:
    with pytest.raises(DomainError) as refused:
        reserve_refund(db_session, paid, amount, "Niets", clock.now())
    assert refused.value.code == "refund_amount_invalid"


def test_an_unpaid_payment_has_nothing_to_refund(db_session: Session, clock: ManualClock) -> None:
    open_payment = create_payment(db_session, None, clock.now(), status=PaymentStatus.OPEN)
    with pytest.raises(DomainError) as refused:
        reserve_refund(db_session, open_payment, Decimal("1.00"), "Open", clock.now())
    assert refused.value.code == "refund_too_much"


def test_a_failed_refund_frees_its_amount_and_a_refunded_one_is_booked_once(
    db_session: Session, clock: ManualClock, paid: Payment
) -> None:
    failing = reserve_refund(db_session, paid, Decimal("20.00"), "Mislukt", clock.now())
    clock.advance(60)
    assert apply_refund_status(db_session, failing, RefundStatus.FAILED, clock.now())
    assert paid.amount_refunded == Decimal("0.00") and failing.updated_at == clock.now()
    refund = reserve_refund(db_session, paid, Decimal("20.00"), "Terug", clock.now())
    for status in (RefundStatus.PENDING, RefundStatus.REFUNDED, RefundStatus.REFUNDED):
        apply_refund_status(db_session, refund, status, clock.now())
    assert ledger.balance(db_session, paid.patron_id or 0) == Decimal("20.00")


def test_a_refund_status_never_moves_back(
    db_session: Session, clock: ManualClock, paid: Payment
) -> None:
    refund = reserve_refund(db_session, paid, None, "Alles", clock.now())
    assert apply_refund_status(db_session, refund, RefundStatus.PROCESSING, clock.now())
    assert not apply_refund_status(db_session, refund, RefundStatus.PENDING, clock.now())
    assert apply_refund_status(db_session, refund, RefundStatus.REFUNDED, clock.now())
    assert not apply_refund_status(db_session, refund, RefundStatus.FAILED, clock.now())
    assert refund.status == RefundStatus.REFUNDED and paid.amount_refunded == Decimal("58.00")
