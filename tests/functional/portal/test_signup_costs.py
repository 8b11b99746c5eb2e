"""A registration fee in the online signup: the review page shows the cost build-up and the total
to pay, the payment is for the total, and the ledger books the period and the fee line by line
(a direct debit collects the period's price only, after the first payment)."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from shared.models.ledger import EntryType, LedgerEntry
from shared.models.patron import Subscription
from shared.payments import ledger
from tests.support.catalogue import load_changed_catalogue
from tests.support.signup import signed_up, walk_to_review


@pytest.fixture
def with_fee(tmp_path: Path) -> None:
    """The catalogue again, with a registration fee of € 2.50."""
    load_changed_catalogue(tmp_path, "2.50")


def page_text(html: str) -> str:
    """A page's text with its no-break spaces (in amounts) as spaces."""
    return html.replace("\xa0", " ")


def the_subscription() -> Subscription:
    """The only patron's subscription, fresh from the database."""
    db.session.expire_all()
    return db.session.scalars(select(Subscription)).one()


def test_without_a_fee_the_review_shows_the_price_alone(client: FlaskClient) -> None:
    review = page_text(walk_to_review(client).get_data(as_text=True))
    assert "Wat je nu betaalt" not in review and "Inschrijfgeld" not in review
    assert "Betaal € 58,00 met iDEAL | Wero" in review


@pytest.mark.usefixtures("with_fee")
def test_the_review_shows_the_fee_line_by_line_and_the_total(client: FlaskClient) -> None:
    review = page_text(walk_to_review(client).get_data(as_text=True))
    assert "Wat je nu betaalt" in review
    lines = re.findall(r"<dt>([^<]+)</dt>\s*<dd>(?:<strong>)?([^<]+)<", review)
    assert ("Nu te betalen", "€ 60,50") in lines
    assert [
        line for line in lines if line[0] in ("Abonnement Basis", "Inschrijfgeld", "Totaal")
    ] == [
        ("Abonnement Basis", "€ 58,00"),
        ("Inschrijfgeld", "€ 2,50"),
        ("Totaal", "€ 60,50"),
    ]
    assert "Betaal € 60,50 met iDEAL | Wero" in review


@pytest.mark.usefixtures("with_fee")
def test_the_payment_is_for_the_total_and_the_ledger_has_each_line(client: FlaskClient) -> None:
    payment = signed_up(client)
    assert payment.amount == Decimal("60.50") and payment.status == "paid"
    subscription = the_subscription()
    rows = db.session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.patron_id == subscription.patron_id)
        .order_by(LedgerEntry.id)
    )
    start = subscription.start_date.isoformat()
    assert [(e.entry_type, e.amount, e.description) for e in rows] == [
        (EntryType.CHARGE, Decimal("58.00"), f"Basis {start}"),
        (EntryType.CHARGE, Decimal("2.50"), "Inschrijfgeld"),
        (EntryType.PAYMENT, Decimal("60.50"), payment.description),
    ]
    assert ledger.balance(db.session, subscription.patron_id) == 0
    assert subscription.price == Decimal("58.00")


@pytest.mark.usefixtures("with_fee")
def test_direct_debit_collects_the_price_without_the_fee(
    client: FlaskClient, mollie_sandbox
) -> None:
    first = signed_up(client, "0045", payment_plan="direct_debit")
    assert (first.sequence_type, first.amount) == ("first", Decimal("60.50"))
    subscription = the_subscription()
    customer = mollie_sandbox.client().customers.get(subscription.patron.mollie_customer_id)
    schedule = customer.subscriptions.get(subscription.mollie_subscription_id)
    assert schedule.amount["value"] == "58.00"
    assert ledger.balance(db.session, subscription.patron_id) == 0
