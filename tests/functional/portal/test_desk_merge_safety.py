"""What a merge of duplicate records must not break: a direct debit counts as running while its
schedule runs, whatever its paid end; the payment provider's customer stays the one whose
direct debit can still move money (two such are not merged), so a collection of a moved
schedule is booked on the record that stays; a login blocked by the merge signs on nowhere;
and the merge reads (and leaves) the records as they are, not as a page or a racing process
left them."""

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select, text, update

from portal.extensions import db
from portal.wiring import now
from shared.clock import ManualClock
from shared.desk.audit import entries
from shared.desk.merge import Choice, merge_committing
from shared.desk.merge_sides import fingerprint, side_of
from shared.errors import DomainError
from shared.models.account import AccountStatus, LoginAccount
from shared.models.audit import AuditEntry
from shared.models.card import Card, CardRole, CardStatus
from shared.models.ledger import LedgerEntry
from shared.models.patron import Patron, PaymentPlan, Subscription, SubscriptionStatus
from shared.models.payment import Payment, PaymentStatus
from shared.payments.ledger import balance
from shared.timeutil import local_today
from tests.functional.portal.test_desk_cancellation import cancel
from tests.functional.portal.test_desk_merge import DAY, counts, merge, merge_page
from tests.functional.portal.test_direct_debit import webhook_of
from tests.support.accounts import log_in, member
from tests.support.dates import noon_on
from tests.support.factories import (
    create_account,
    create_card,
    create_patron,
    create_subscription,
)
from tests.support.oidc import add_service, tokens_for
from tests.support.staff import desk_session

CONFLICT = "Beide records hebben een abonnement dat nog niet is afgelopen"
TWO_CUSTOMERS = "Beide records hebben een automatische incasso die nog kan afschrijven"
MERGE_BUTTON = "Het andere record in dit record samenvoegen"
Twice = tuple[Patron, Patron]


def twice(
    new_browser: Callable[[], FlaskClient], clock: ManualClock, kept: str, other: str
) -> Twice:
    """Marieke signed up twice online on DAY (each paid at the sandbox, with a login): first
    with subscription `kept`, then, as mvdijk, with `other`."""
    clock.set(noon_on(DAY))
    first = member(new_browser(), kept)
    return first, member(new_browser(), other, username="mvdijk", email="m.vandijk@example.nl")


def schedule_of(patron: Patron) -> Subscription:
    """The record's subscription paid by direct debit, as it is now."""
    db.session.expire_all()
    debit = select(Subscription).where(
        Subscription.patron_id == patron.id, Subscription.paid_by == PaymentPlan.DIRECT_DEBIT
    )
    return db.session.scalars(debit).one()


def records(clock: ManualClock) -> tuple[LoginAccount, Patron, Patron]:
    """A desk member, a record without a subscription, and one with a year of Basis."""
    clock.set(noon_on(DAY))
    staff = create_account(db.session, now())
    kept = create_patron(db.session, None, now())
    other = create_patron(db.session, None, now(), subscription="0045")
    db.session.commit()
    return staff, kept, other


def shown_of(kept: Patron, other: Patron) -> str:
    """The fingerprint of the comparison page of these records."""
    return fingerprint(side_of(db.session, kept), side_of(db.session, other))


def test_a_direct_debit_with_a_collection_under_way_has_not_ended(
    app: Flask,
    new_browser: Callable[[], FlaskClient],
    clock: ManualClock,
    portal_server: str,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    kept, other = twice(new_browser, clock, "0045", "0049")  # a year, paid; a month, direct debit
    monthly = schedule_of(other)
    # Past the first month the next one is collected; the bank takes days (SEPA), and until
    # the collection is reported paid the subscription's paid end lies in the past.
    clock.set(noon_on(monthly.end_date + timedelta(days=2)))
    pending = mollie_sandbox.charge(monthly.mollie_subscription_id, "pending")
    hook = webhook_of(monthly, portal_server)
    assert requests.post(hook, data={"id": pending["id"]}, timeout=20).status_code == 200
    monthly = schedule_of(other)
    assert monthly.end_date < local_today(now()) and monthly.grace_until is None

    page = desk_session(app, new_browser()).get(merge_page(kept, other.customer_number))

    shown = page.get_data(as_text=True)
    assert CONFLICT in shown and MERGE_BUTTON not in shown
    assert "Basis (maand-incasso) (" in shown  # named in the refusal, with its paid end


def test_a_direct_debit_left_unpaid_by_a_failed_collection_has_not_ended(
    app: Flask, clock: ManualClock
) -> None:
    clock.set(noon_on(DAY))
    today = local_today(now())
    kept = create_patron(db.session, None, now(), subscription="0045")
    other = create_patron(db.session, None, now())
    monthly = create_subscription(db.session, other, "0049", today - timedelta(days=40))
    # Invoiced: the collection failed, the schedule runs on, the paid end is behind.
    monthly.paid_by, monthly.mollie_subscription_id = PaymentPlan.DIRECT_DEBIT, "sub_running"
    monthly.end_date, monthly.status = today - timedelta(days=10), SubscriptionStatus.INVOICED
    db.session.commit()
    staff = create_account(db.session, now())
    db.session.commit()
    shown = shown_of(kept, other)

    with pytest.raises(DomainError, match="merge_subscriptions_conflict"):
        merge_committing(db.session, staff, kept, other, Choice(frozenset(), shown, "nl"), now())

    db.session.expire_all()
    assert other.merged_into_id is None and schedule_of(other).patron_id == other.id


def test_two_direct_debits_that_can_still_move_money_are_not_merged(
    app: Flask,
    new_browser: Callable[[], FlaskClient],
    clock: ManualClock,
    portal_server: str,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    kept, other = twice(new_browser, clock, "0049", "0049")
    customers = (kept.mollie_customer_id, other.mollie_customer_id)
    assert None not in customers and customers[0] != customers[1]
    # The other record's schedule collected a month; then the desk cancelled it now (its
    # mandate revoked, its schedule stopped): that collection can still be charged back.
    collected = mollie_sandbox.charge(schedule_of(other).mollie_subscription_id, "paid")
    assert db.session.scalars(select(Payment).where(Payment.provider_id == collected["id"])).one()
    balie = desk_session(app, new_browser())
    assert cancel(balie, other, when="now", reason="verhuisd", refund="no").status_code == 303

    page = balie.get(merge_page(kept, other.customer_number)).get_data(as_text=True)

    assert TWO_CUSTOMERS in page and MERGE_BUTTON not in page
    # Sixty days on no bank takes that collection back: the record that stays keeps its own
    # customer, whose schedule runs.
    clock.advance(timedelta(days=61))
    later = desk_session(app, new_browser(), "balie2")  # the first one's code is old now
    assert merge(later, kept, other.customer_number).status_code == 303
    db.session.expire_all()
    assert (other.merged_into_id, kept.mollie_customer_id) == (kept.id, customers[0])


def test_a_collection_of_the_moved_schedule_is_booked_on_the_record_that_stays(
    app: Flask,
    new_browser: Callable[[], FlaskClient],
    clock: ManualClock,
    portal_server: str,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    kept, other = twice(new_browser, clock, "0045", "0049")
    balie = desk_session(app, new_browser())
    assert cancel(balie, kept, when="now", reason="verhuisd", refund="yes").status_code == 303
    theirs, monthly = other.mollie_customer_id, schedule_of(other)
    assert merge(balie, kept, other.customer_number).status_code == 303
    db.session.expire_all()
    assert kept.mollie_customer_id == theirs  # the customer whose direct debit runs
    (entry,) = [e for e in entries(db.session, patron_id=kept.id) if e.action == "patron.merged"]
    assert entry.after is not None and entry.after["mollie_customer_id"] == theirs
    owed, paid_through = balance(db.session, kept.id), monthly.end_date

    collection = mollie_sandbox.charge(monthly.mollie_subscription_id, "paid")

    assert schedule_of(kept).end_date > paid_through
    booked = db.session.scalars(select(Payment).where(Payment.provider_id == collection["id"]))
    payment = booked.one()
    assert (payment.patron_id, payment.status) == (kept.id, PaymentStatus.PAID)
    lines = select(LedgerEntry.patron_id).where(LedgerEntry.payment_id == payment.id)
    assert set(db.session.scalars(lines)) == {kept.id}
    assert balance(db.session, kept.id) == owed  # the period charged, and paid


def test_a_login_blocked_by_a_merge_signs_on_to_no_service(
    app: Flask,
    new_browser: Callable[[], FlaskClient],
    clock: ManualClock,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    kept, other = twice(new_browser, clock, "0045", "0045")
    browser = new_browser()
    assert log_in(browser, "mvdijk").status_code == 303
    access = tokens_for(browser, add_service(app))["access_token"]
    bearer = {"Authorization": f"Bearer {access}"}
    assert browser.get("/oidc/userinfo", headers=bearer).status_code == 200
    balie = desk_session(app, new_browser())
    assert cancel(balie, other, when="now", reason="verhuisd", refund="yes").status_code == 303

    assert merge(balie, kept, other.customer_number).status_code == 303  # kept's login stays

    db.session.expire_all()
    blocked = db.session.scalars(select(LoginAccount).where(LoginAccount.username == "mvdijk"))
    assert blocked.one().status == AccountStatus.BLOCKED
    assert browser.get("/oidc/userinfo", headers=bearer).status_code == 401


def test_a_subscription_renewed_after_the_page_read_it_is_seen_after_the_lock(
    app: Flask, clock: ManualClock
) -> None:
    clock.set(noon_on(DAY))
    today = local_today(now())
    staff = create_account(db.session, now())
    kept = create_patron(db.session, None, now(), subscription="0045")
    other = create_patron(db.session, None, now())
    ended = create_subscription(db.session, other, "0045", today - timedelta(days=400))
    db.session.commit()
    shown = shown_of(kept, other)
    # Another process renews it meanwhile, on a connection of its own.
    with db.engine.begin() as connection:
        renewed = update(Subscription).where(Subscription.id == ended.id)
        connection.execute(renewed.values(end_date=today + timedelta(days=300)))

    with pytest.raises(DomainError, match="merge_subscriptions_conflict"):
        merge_committing(db.session, staff, kept, other, Choice(frozenset(), shown, "nl"), now())

    db.session.expire_all()
    assert other.merged_into_id is None


# A charge for the other record is committed while its subscriptions move (after its ledger
# moved): a process that does not wait for the record's lock.
MEANWHILE_ON_POSTGRESQL = (
    "CREATE FUNCTION charge_meanwhile() RETURNS trigger AS $$ BEGIN"
    " INSERT INTO ledger_entry (patron_id, entry_type, amount, description, dedupe_key,"
    " created_at) VALUES (OLD.patron_id, 'charge', 1, 'meanwhile', 'meanwhile:' || NEW.id, now());"
    " RETURN NEW; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER charge_meanwhile AFTER UPDATE OF patron_id ON subscription"
    " FOR EACH ROW EXECUTE FUNCTION charge_meanwhile()",
)
MEANWHILE_ON_SQLITE = (
    "CREATE TRIGGER charge_meanwhile AFTER UPDATE OF patron_id ON subscription BEGIN"
    " INSERT INTO ledger_entry (patron_id, entry_type, amount, description, dedupe_key,"
    " created_at) VALUES (OLD.patron_id, 'charge', 1, 'meanwhile', 'meanwhile:' || NEW.id,"
    " CURRENT_TIMESTAMP); END",
)


def test_a_row_of_the_other_record_left_after_the_moves_refuses_the_merge(
    app: Flask, clock: ManualClock
) -> None:
    staff, kept, other = records(clock)
    postgresql = db.engine.dialect.name == "postgresql"
    for statement in MEANWHILE_ON_POSTGRESQL if postgresql else MEANWHILE_ON_SQLITE:
        db.session.execute(text(statement))
    db.session.commit()
    before = {p.id: counts(p) for p in (kept, other)}
    shown = shown_of(kept, other)

    with pytest.raises(DomainError, match="merge_changed"):
        merge_committing(db.session, staff, kept, other, Choice(frozenset(), shown, "nl"), now())

    db.session.expire_all()
    assert {p.id: counts(p) for p in (kept, other)} == before
    assert other.merged_into_id is None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_row_being_added_for_the_other_record_is_waited_for(
    app: Flask, portal_instance: Callable[..., Flask], clock: ManualClock
) -> None:
    staff, kept, other = records(clock)
    ids = (staff.id, kept.id, other.id)
    shown = shown_of(kept, other)
    outcomes: list[str] = []
    starting = threading.Event()

    other_portal = portal_instance()  # before the threads (tests/support/threads.py says why)

    def merge_there() -> None:
        with other_portal.app_context():
            staff, kept, other = (
                db.session.get_one(model, id_)
                for model, id_ in zip((LoginAccount, Patron, Patron), ids, strict=True)
            )
            db.session.commit()
            starting.set()
            try:
                choice = Choice(frozenset(), shown, "nl")
                merge_committing(db.session(), staff, kept, other, choice, now())
                outcomes.append("merged")
            except DomainError as error:
                outcomes.append(error.code)
            db.session.remove()

    # Another process is adding a charge for the other record when the merge starts.
    charge = {"patron_id": other.id, "entry_type": "charge", "amount": 1, "created_at": now()}
    charge |= {"description": "meanwhile", "dedupe_key": "meanwhile"}
    merging = threading.Thread(target=merge_there)
    with db.engine.connect() as adding:
        adding.execute(insert(LedgerEntry).values(**charge))
        merging.start()
        assert starting.wait(timeout=30)
        merging.join(timeout=1)
        assert merging.is_alive()  # waiting for the charge to be committed
        adding.commit()
    merging.join()

    # It then finds the balance the page showed changed: the desk sees the records again.
    assert outcomes == ["merge_changed"]
    db.session.expire_all()
    assert other.merged_into_id is None
    added = select(LedgerEntry.patron_id).where(LedgerEntry.dedupe_key == "meanwhile")
    assert db.session.scalar(added) == other.id


def test_the_other_records_secondary_card_goes_with_the_main_card_that_stays(
    app: Flask, clock: ManualClock
) -> None:
    staff, kept, other = records(clock)
    mine = create_card(db.session, kept, now())
    theirs = create_card(db.session, other, now())
    follower = create_card(db.session, other, now(), role=CardRole.SECONDARY)
    follower.main_card_id = theirs.id
    db.session.commit()
    shown = shown_of(kept, other)
    merge_committing(db.session, staff, kept, other, Choice(frozenset(), shown, "nl"), now())
    db.session.expire_all()
    assert db.session.get_one(Card, theirs.id).status == CardStatus.REPLACED
    assert db.session.get_one(Card, follower.id).main_card_id == mine.id
