"""Demo data for the embedded default: a patron with a card who owes something, to tap and pay
at the kiosk, and a patron who signed up online and still has to collect a card. Loading it
again changes nothing while the fee is still owed."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.accounts.passwords import hash_password
from shared.demo.numbers import DEMO_CARD, DEMO_NEWCOMER, DEMO_PASSWORD
from shared.models.account import LoginAccount
from shared.models.card import Card
from shared.models.catalogue import Branch, SubscriptionType
from shared.models.patron import Gender, Patron, PaymentPlan, Subscription
from shared.patrons.name_keys import index_names
from shared.patrons.subscriptions import valid_through
from shared.payments import ledger
from shared.timeutil import local_today

DEMO_BRANCH = "5270"
DEMO_SUBSCRIPTION = "0045"
DEMO_FEE = Decimal("12.50")
DEMO_NEWCOMER_BIRTH = date(1985, 4, 15)


def load_demo_patron(session: Session, now: datetime) -> Patron:
    """The demo card holder (made on the first call), owing the demo fee again once paid."""
    card = session.scalar(select(Card).where(Card.number == DEMO_CARD))
    patron = session.get_one(Patron, card.patron_id) if card else _new_demo_patron(session, now)
    if ledger.balance(session, patron.id) <= 0:
        key = f"demo:late-fee:{now.isoformat()}"
        ledger.charge(session, patron.id, DEMO_FEE, "Te laat ingeleverd (demo)", key, now)
    session.flush()
    return patron


def load_demo_newcomer(session: Session, now: datetime) -> Patron:
    """M. van Dijk, who signed up online: a temporary number, a login, and no card yet."""
    patron = session.scalar(select(Patron).where(Patron.temporary_number == DEMO_NEWCOMER))
    if patron is None:
        patron = _demo_patron(session, "M.", "van", "Dijk", DEMO_NEWCOMER_BIRTH, now)
        patron.temporary_number, patron.lending_blocked = DEMO_NEWCOMER, True
        patron.login_account = LoginAccount(
            username=DEMO_NEWCOMER,
            username_key=DEMO_NEWCOMER.casefold(),
            email="nieuw@example.nl",
            password_hash=hash_password(DEMO_PASSWORD),
            created_at=now,
            confirmed_at=now,
        )
        session.flush()
    return patron


def _new_demo_patron(session: Session, now: datetime) -> Patron:
    """A. de Demo of Ruinerwold: a Basis subscription from today and an active main card."""
    patron = _demo_patron(session, "A.", "de", "Demo", date(1990, 1, 1), now)
    patron.lending_blocked = False
    session.flush()
    session.add(Card(patron_id=patron.id, number=DEMO_CARD, issued_at=now))
    return patron


def _demo_patron(
    session: Session, initials: str, prefix: str, surname: str, birth: date, now: datetime
) -> Patron:
    """A patron of Ruinerwold with a Basis subscription from today."""
    branch = session.scalars(select(Branch).where(Branch.code == DEMO_BRANCH)).one()
    kind = session.get_one(SubscriptionType, DEMO_SUBSCRIPTION)
    start = local_today(now)
    patron = Patron(
        initials=initials,
        prefix=prefix,
        surname=surname,
        birth_date=birth,
        gender=Gender.ONBEKEND,
        postcode="7961 AM",
        house_number="1",
        street="Dijkhuizen",
        city="Ruinerwold",
        library_email=f"{surname.lower()}@example.nl",
        home_branch=branch,
        created_at=now,
    )
    patron.subscriptions.append(
        Subscription(
            type=kind,
            start_date=start,
            end_date=valid_through(kind, start),
            price=Decimal("0.00"),
            paid_by=PaymentPlan.ONCE,
        )
    )
    session.add(patron)
    session.flush()
    index_names(session, patron)
    return patron
