"""Refunding at the desk (/balie/klanten/<number>/terugbetalen/<reference>): a cash payment in
cash from the drawer (booked at once, no provider), another through the refund service at the
Mollie sandbox; a desk member up to what the library owes the patron, a coordinator beyond;
each in the audit log."""

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from shared.desk.audit import entries
from shared.models.ledger import EntryType, LedgerEntry
from shared.models.patron import Patron
from shared.models.payment import Payment, Refund
from shared.payments import ledger
from tests.functional.portal.test_desk_payments import payments_of
from tests.support.accounts import member
from tests.support.desk_money import add_desk, charge, money_page, refund, staff_at, take
from tests.support.signup import checkout


@pytest.fixture
def staff(app: Flask, new_browser: Callable[[], FlaskClient]) -> Callable[[str, str], FlaskClient]:
    """A staff member of a role, logged in and working at the desk BALIE-HAL."""
    desk = add_desk(app, "BALIE-HAL")

    return lambda username, role="desk": staff_at(app, new_browser(), desk, username, role)


@pytest.fixture
def patron(app: Flask, client: FlaskClient) -> Patron:
    """A member who owes a € 12.50 late fee."""
    paid = member(client)
    charge(app, paid, "12.50", "Te laat", "fee-1")
    return paid


def refunds_of(payment: Payment) -> list[Refund]:
    """The payment's refunds, oldest first."""
    db.session.expire_all()
    query = select(Refund).where(Refund.payment_id == payment.id).order_by(Refund.id)
    return list(db.session.scalars(query))


def test_cash_is_refunded_in_cash_by_a_coordinator_beyond_what_is_owed_to_the_patron(
    staff: Callable[[str, str], FlaskClient], patron: Patron
) -> None:
    balie = staff("balie1", "desk")
    take(balie, patron, means="cash")
    [cash] = payments_of(patron)
    refused = refund(balie, patron, cash, amount="5,00", description="Vergissing")
    said = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert re.search(r'id="amount-error">.*klant €\s0,00 verschuldigd', said)
    assert refunds_of(cash) == []
    coordinator = staff("coordinator1", "coordinator")
    done = refund(coordinator, patron, cash, amount="5,00", description="Vergissing")
    assert done.status_code == 303
    told = coordinator.get(done.location).get_data(as_text=True)
    assert re.search(r"Geef de klant €\s5,00 contant uit de kassa", told)
    [given] = refunds_of(cash)
    assert (given.amount, given.status, given.provider_id) == (Decimal("5.00"), "refunded", None)
    assert given.desk_id is not None and given.staff_account_id is not None
    line = db.session.scalars(select(LedgerEntry).where(LedgerEntry.refund_id == given.id)).one()
    assert (line.entry_type, line.amount) == (EntryType.REFUND, Decimal("5.00"))
    assert ledger.balance(db.session, patron.id) == Decimal("5.00")
    [entry] = [
        e for e in entries(db.session, patron_id=patron.id) if e.action == "payment.refunded"
    ]
    assert entry.staff_username == "coordinator1"
    assert entry.before == {"balance": "0.00", "refundable": "12.50"}
    assert entry.after == {
        "refund": "5.00",
        "refundable": "7.50",
        "payment": cash.reference,
        "method": "cash",
        "desk": "BALIE-HAL",
    }
    more = refund(coordinator, patron, cash, amount="7,51", description="Vergissing")
    assert re.search(r"nog hoogstens €\s7,50 worden terugbetaald", more.get_data(as_text=True))


def test_a_desk_member_refunds_what_was_paid_twice_at_the_sandbox(
    staff: Callable[[str, str], FlaskClient],
    patron: Patron,
    client: FlaskClient,
    mollie_sandbox,  # noqa: ANN001
    portal_server: str,
) -> None:
    balie = staff("balie1", "desk")
    take(balie, patron, means="link")
    take(balie, patron, means="cash")  # the link holds nothing: the patron pays twice
    link = payments_of(patron)[0]
    client.get(checkout(link.checkout_url, "paid"))
    assert ledger.balance(db.session, patron.id) == Decimal("-12.50")
    page = balie.get(f"/balie/klanten/{patron.customer_number}").get_data(as_text=True)
    assert money_page(patron, f"terugbetalen/{link.reference}") in page
    done = refund(balie, patron, link, amount="", description="Dubbel betaald")
    assert done.status_code == 303
    [given] = refunds_of(link)
    assert (given.amount, given.status) == (Decimal("12.50"), "pending")
    remote = mollie_sandbox.client().payments.get(link.provider_id)
    assert remote.amount_refunded == {"currency": "EUR", "value": "12.50"}
    mollie_sandbox.set_refund_status(given.provider_id, "refunded")
    db.session.expire_all()
    assert ledger.balance(db.session, patron.id) == 0


def test_an_unpaid_payment_is_not_refunded_and_anothers_is_not_found(
    app: Flask,
    staff: Callable[[str, str], FlaskClient],
    patron: Patron,
    new_browser: Callable[[], FlaskClient],
    mollie_sandbox,  # noqa: ANN001
) -> None:
    balie = staff("balie1", "desk")
    take(balie, patron, means="link")
    [link] = payments_of(patron)
    refused = refund(balie, patron, link, amount="", description="Niets")
    assert "Alleen een betaalde betaling" in refused.get_data(as_text=True)
    other = member(new_browser(), username="ander", email="ander@example.nl")
    path = money_page(other, f"terugbetalen/{link.reference}")
    assert balie.get(path).status_code == 404
