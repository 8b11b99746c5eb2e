"""The 24-hour purge: it removes abandoned signups and is unable to remove a paying patron."""

import itertools
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.wiring import now
from shared.models.account import LoginAccount
from shared.models.patron import Patron
from shared.models.registration import Registration
from shared.signup.purge import paid_but_unconfirmed, purge_unconfirmed
from tests.support.factories import create_account, create_patron, create_registration

OLD, NEW = timedelta(hours=25), timedelta(hours=1)
PAYMENT_SETS = [
    (),
    ("failed",),
    ("canceled", "expired"),
    ("open",),
    ("pending",),
    ("failed", "paid"),
]


def test_expired_unconfirmed_unpaid_account_goes_with_its_draft(app: Flask) -> None:
    account = create_account(db.session, now(), age=OLD)
    create_registration(db.session, account, now(), payments=("failed",))
    young = create_account(db.session, now(), age=NEW)
    report = purge_unconfirmed(db.session, now())
    db.session.commit()
    assert (report.accounts, report.registrations) == (1, 1)
    assert db.session.scalars(select(LoginAccount.id)).all() == [young.id]


def test_abandoned_draft_without_account_is_removed_after_a_day(app: Flask) -> None:
    create_registration(db.session, None, now(), age=OLD)
    create_registration(db.session, None, now(), age=NEW)
    assert purge_unconfirmed(db.session, now()).registrations == 1


@pytest.mark.parametrize(
    ("confirmed", "age", "completed", "payments", "has_patron"),
    list(itertools.product([False, True], [OLD, NEW], [False, True], PAYMENT_SETS, [False, True])),
)
def test_purge_never_touches_what_was_paid_or_may_still_be_paid(
    app: Flask, confirmed: bool, age: timedelta, completed: bool, payments: tuple, has_patron: bool
) -> None:
    account = create_account(db.session, now(), age=age, confirmed=confirmed)
    state = "completed" if completed else "draft"
    registration = create_registration(db.session, account, now(), state=state, payments=payments)
    patron = create_patron(db.session, account, now()) if has_patron else None
    db.session.commit()
    ids = (account.id, registration.id, patron.id if patron else None)

    purge_unconfirmed(db.session, now())
    db.session.commit()

    live = any(status not in ("failed", "canceled", "expired") for status in payments)
    protected = has_patron or completed or live or confirmed or age == NEW
    account_left = db.session.get(LoginAccount, ids[0]) is not None
    registration_left = db.session.get(Registration, ids[1]) is not None
    assert account_left == protected
    assert registration_left == (protected or completed or live)
    if ids[2] is not None:
        assert db.session.get(Patron, ids[2]) is not None


def test_database_refuses_to_delete_an_account_a_patron_uses(app: Flask) -> None:
    account = create_account(db.session, now(), age=OLD)
    create_patron(db.session, account, now())
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(delete(LoginAccount).where(LoginAccount.id == account.id))
        db.session.flush()


def test_paid_but_unconfirmed_patrons_are_listed_for_staff(app: Flask) -> None:
    late = create_account(db.session, now(), age=OLD)
    patron = create_patron(db.session, late, now())
    create_patron(db.session, create_account(db.session, now(), age=OLD, confirmed=True), now())
    create_patron(db.session, create_account(db.session, now(), age=NEW), now())
    assert paid_but_unconfirmed(db.session, now()) == [patron]
