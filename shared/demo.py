"""Demo data for the embedded default: a patron with a card who owes something, to tap and pay
at the kiosk. Loading it again changes nothing while the fee is still owed."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import ledger
from shared.cards import luhn_check_digit
from shared.models.card import Card
from shared.models.catalogue import Branch, SubscriptionType
from shared.models.patron import Patron, Subscription
from shared.subscriptions import valid_through
from shared.timeutil import local_today, utcnow

DEMO_BRANCH = "5270"
DEMO_SUBSCRIPTION = "0045"
DEMO_CARD = "252709999999" + luhn_check_digit("252709999999")
DEMO_FEE = Decimal("12.50")


def load_demo_patron(session: Session) -> Patron:
    """The demo card holder (made on the first call), owing the demo fee again once paid."""
    card = session.scalar(select(Card).where(Card.number == DEMO_CARD))
    patron = session.get_one(Patron, card.patron_id) if card else _new_demo_patron(session)
    if ledger.balance(session, patron.id) <= 0:
        key = f"demo:late-fee:{utcnow().isoformat()}"
        ledger.charge(session, patron.id, DEMO_FEE, "Te laat ingeleverd (demo)", key)
    session.flush()
    return patron


def _new_demo_patron(session: Session) -> Patron:
    """A. de Demo of Ruinerwold: a Basis subscription from today and an active main card."""
    branch = session.scalars(select(Branch).where(Branch.code == DEMO_BRANCH)).one()
    kind = session.get_one(SubscriptionType, DEMO_SUBSCRIPTION)
    start = local_today()
    patron = Patron(
        initials="A.",
        prefix="de",
        surname="Demo",
        birth_date=date(1990, 1, 1),
        gender="onbekend",
        postcode="7961 AM",
        house_number="1",
        street="Dijkhuizen",
        city="Ruinerwold",
        library_email="demo@example.nl",
        home_branch=branch,
        lending_blocked=False,
    )
    patron.subscriptions.append(
        Subscription(
            type=kind,
            start_date=start,
            end_date=valid_through(kind, start),
            price=Decimal("0.00"),
            paid_by="demo",
        )
    )
    session.add(patron)
    session.flush()
    session.add(Card(patron_id=patron.id, number=DEMO_CARD))
    return patron
