"""Seeding synthetic members: every one complete and valid, the unconfirmed and direct-debit
shares as said, and each can log in with the one password."""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.accounts.login import log_in
from shared.cards.numbers import luhn_check_digit
from shared.clock import ManualClock
from shared.demo.seed import DIRECT_DEBIT_ONE_IN, UNCONFIRMED_ONE_IN, seed_patrons
from shared.models.account import LoginAccount
from shared.models.card import Card
from shared.models.patron import Patron, PaymentPlan, Subscription
from shared.models.payment import Payment, PaymentStatus
from shared.signup.purge import paid_but_unconfirmed
from shared.text import is_plain_text
from tests.support.factories import create_account

COUNT = 600
PASSWORD = "geheim-wachtwoord-12"


def count(session: Session, model: type) -> int:
    """Rows of a table."""
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_seeded_members_are_complete_and_log_in(db_session: Session, clock: ManualClock) -> None:
    assert seed_patrons(db_session, COUNT, PASSWORD, clock.now()) == COUNT
    for model in (LoginAccount, Patron, Card, Subscription, Payment):
        assert count(db_session, model) == COUNT, model
    cards = db_session.scalars(select(Card.number).order_by(Card.patron_id)).all()
    assert all(n[:-1].isdigit() and luhn_check_digit(n[:-1]) == n[-1] for n in cards)
    patrons = db_session.scalars(select(Patron).order_by(Patron.id)).all()
    assert all(is_plain_text(p.surname) and p.surname.strip() for p in patrons)
    paid = db_session.scalars(select(Payment.status)).all()
    assert set(paid) == {PaymentStatus.PAID}
    debit = select(func.count()).where(Subscription.paid_by == PaymentPlan.DIRECT_DEBIT)
    assert db_session.scalar(debit) == COUNT // DIRECT_DEBIT_ONE_IN
    unconfirmed = paid_but_unconfirmed(db_session, clock.now() + timedelta(minutes=1))
    assert len(unconfirmed) == COUNT // UNCONFIRMED_ONE_IN
    member = patrons[7]
    for login in (member.library_email, member.login_account.username, cards[7]):
        assert log_in(db_session, login, PASSWORD, clock.now()).account.id == member.id


def test_seeding_again_adds_after_what_is_there(db_session: Session, clock: ManualClock) -> None:
    create_account(db_session, clock.now())  # a login without a patron: ids differ per table
    db_session.commit()
    seed_patrons(db_session, 3, PASSWORD, clock.now())
    seed_patrons(db_session, 2, PASSWORD, clock.now())
    assert count(db_session, Patron) == 5 and count(db_session, Card) == 5
