"""Merging duplicate records at the desk (/balie/klanten/<number>/samenvoegen, *ontdubbelen*):
everything of the other record moves to the one that stays, its numbers find that one at the
desk, the kiosk and the login; refused for conflicting subscriptions, itself, a merged record
and a change meanwhile; all or nothing; in the audit log; desk staff only."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.wiring import now
from shared.clock import ManualClock
from shared.db import Base, lock_row
from shared.desk.audit import entries
from shared.desk.merge import (
    CHOICES,
    REFERENCES,
    Choice,
    merge_committing,
    patron_references,
    unclassified,
)
from shared.desk.merge_sides import fingerprint, side_of
from shared.errors import DomainError
from shared.models.account import AccountStatus, LoginAccount
from shared.models.audit import AuditEntry
from shared.models.card import Card, CardStatus
from shared.models.ledger import LedgerEntry
from shared.models.name_key import PatronNameKey
from shared.models.patron import Patron, Subscription
from shared.models.payment import Payment, Refund
from shared.payments.ledger import balance
from tests.functional.portal.test_desk_cancellation import cancel
from tests.support.accounts import PASSWORD, log_in, member
from tests.support.dates import noon_on
from tests.support.factories import create_account, create_card, create_patron
from tests.support.kiosk_api import KioskApi
from tests.support.signup import csrf_token
from tests.support.staff import (
    SECOND_STEP,
    authenticator_of,
    code_at,
    desk_session,
    type_code,
)
from tests.support.threads import started_waiting

DAY = date(date.today().year + 1, 3, 10)
MOVED = (Card, Subscription, LedgerEntry, Payment)


@pytest.fixture
def balie(app: Flask, new_browser: Callable[[], FlaskClient], clock: ManualClock) -> FlaskClient:
    """A desk member, logged in."""
    clock.set(noon_on(DAY))
    return desk_session(app, new_browser())


@pytest.fixture
def pair(
    new_browser: Callable[[], FlaskClient],
    balie: FlaskClient,
    mollie_sandbox,  # noqa: ANN001
) -> tuple[Patron, Patron]:
    """Marieke signed up twice online (paid at the sandbox, each with a login and a card);
    the desk cancelled the second subscription now with a refund of the unused part."""
    kept = member(new_browser())
    other = member(new_browser(), username="mvdijk", email="m.vandijk@example.nl")
    for patron in (kept, other):
        create_card(db.session, patron, now())
    other.phone = "0687654321"
    db.session.commit()
    assert cancel(balie, other, when="now", reason="verhuisd", refund="yes").status_code == 303
    return kept, other


def merge_page(kept: Patron, number: str) -> str:
    """The page comparing the record of `number` with the one that stays."""
    return f"/balie/klanten/{kept.customer_number}/samenvoegen/{number}"


def merge(browser: FlaskClient, kept: Patron, number: str, **choices: str) -> TestResponse:
    """Open the comparison and merge with these choices (the rest as chosen beforehand)."""
    page = browser.get(merge_page(kept, number))
    assert page.status_code == 200
    return send(browser, kept, number, page, **choices)


def send(
    browser: FlaskClient, kept: Patron, number: str, page: TestResponse, **choices: str
) -> TestResponse:
    """Send the comparison page's form as it was shown, with these choices."""
    html = page.get_data(as_text=True)
    shown = html.split('name="shown" type="hidden" value="')[1].split('"')[0]
    form = {"csrf_token": csrf_token(page), "shown": shown, **choices}
    defaults = dict.fromkeys(CHOICES, "this")  # as the page checks them beforehand
    return browser.post(merge_page(kept, number), data={**defaults, **form})


def counts(patron: Patron) -> dict[str, int]:
    """How many rows of each moved kind the record has."""
    return {
        model.__tablename__: db.session.scalar(
            select(func.count()).select_from(model).where(model.patron_id == patron.id)
        )
        or 0
        for model in MOVED
    }


def test_everything_moves_and_the_old_numbers_find_the_survivor(
    pair: tuple[Patron, Patron],
    balie: FlaskClient,
    new_browser: Callable[[], FlaskClient],
    kiosk: KioskApi,
) -> None:
    kept, other = pair
    kept_login, other_login = kept.login_account_id, other.login_account_id
    (old_card,) = db.session.scalars(select(Card).where(Card.patron_id == kept.id))
    (their_card,) = db.session.scalars(select(Card).where(Card.patron_id == other.id))
    before = {p.id: counts(p) for p in pair}
    owed = balance(db.session, kept.id) + balance(db.session, other.id)
    refund = db.session.scalars(select(Refund)).one()
    shown = balie.get(merge_page(kept, other.customer_number)).get_data(as_text=True)
    assert "0687654321" in shown and "mvdijk" in shown and their_card.number in shown

    answer = merge(
        balie, kept, other.customer_number, phone="other", login="other", main_card="other"
    )

    assert answer.status_code == 303
    assert answer.location == f"/balie/klanten/{their_card.number}"
    db.session.expire_all()
    assert counts(other) == dict.fromkeys(before[other.id], 0)
    assert counts(kept) == {k: before[kept.id][k] + before[other.id][k] for k in before[kept.id]}
    assert db.session.get_one(Payment, refund.payment_id).patron_id == kept.id
    assert balance(db.session, kept.id) == owed
    assert (other.merged_into_id, other.login_account_id) == (kept.id, None)
    assert (kept.phone, kept.login_account_id) == ("0687654321", other_login)
    assert db.session.get_one(LoginAccount, kept_login).status == AccountStatus.BLOCKED
    assert (old_card.status, their_card.status) == (CardStatus.REPLACED, CardStatus.ACTIVE)
    keys = select(func.count()).where(PatronNameKey.patron_id == other.id)
    assert db.session.scalar(keys) == 0
    # The old numbers find the record that stays: at the desk, at the kiosk and logging in.
    for number in (other.customer_number, old_card.number):
        screen = balie.get(f"/balie/klanten/{number}").get_data(as_text=True)
        assert kept.customer_number in screen and "0687654321" in screen
    found = balie.get(f"/balie/klanten?q={other.customer_number}")
    assert found.location == f"/balie/klanten/{their_card.number}"
    assert balie.get("/balie/klanten?q=van+dijk").location == found.location  # one, not two
    owed_there = kiosk.call("GET", f"/patrons/{other.customer_number}/balance").json
    assert owed_there["balance"] == f"{owed:.2f}"
    identified = kiosk.identify(method="password", login=other.customer_number, password=PASSWORD)
    assert identified.status_code == 200
    assert log_in(new_browser(), other.customer_number).status_code == 303
    assert log_in(new_browser(), kept.customer_number).status_code == 303
    refused = log_in(new_browser(), "marieke85").get_data(as_text=True)
    assert "geblokkeerd" in refused


def test_the_merge_is_in_the_audit_log_on_both_records(
    pair: tuple[Patron, Patron], balie: FlaskClient
) -> None:
    kept, other = pair
    kept_login = kept.login_account_id
    assert merge(balie, kept, other.customer_number, phone="other").status_code == 303
    db.session.expire_all()
    (on_kept,) = [e for e in entries(db.session, patron_id=kept.id) if e.action == "patron.merged"]
    (on_other,) = [
        e for e in entries(db.session, patron_id=other.id) if e.action == "patron.merged"
    ]
    assert on_kept.before is not None and on_kept.after is not None
    assert (on_kept.before["phone"], on_kept.after["phone"]) == ("0612345678", "0687654321")
    assert on_kept.after["merged"] == other.customer_number
    assert on_kept.after["taken"] == "phone"
    assert "card: 1" in on_kept.after["moved"] and "payment: 1" in on_kept.after["moved"]
    assert (on_kept.before["login"], on_kept.after["login"]) == (kept_login, kept_login)
    assert on_kept.after["login_blocked"] == "mvdijk"  # never lost silently
    assert on_other.after == {
        "merged_into": kept.customer_number,
        "moved": on_kept.after["moved"],
    }
    screen = balie.get(f"/balie/klanten/{kept.customer_number}").get_data(as_text=True)
    assert "Dubbele klantrecords samengevoegd" in screen


def test_two_subscriptions_that_have_not_ended_are_refused_with_both_named(
    new_browser: Callable[[], FlaskClient],
    balie: FlaskClient,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    kept = member(new_browser())
    other = member(new_browser(), username="mvdijk", email="m.vandijk@example.nl")
    page = balie.get(merge_page(kept, other.customer_number))
    shown = page.get_data(as_text=True)
    assert "Beide records hebben een abonnement dat nog niet is afgelopen" in shown
    assert shown.count("Basis (") == 2
    assert "Het andere record in dit record samenvoegen" not in shown  # no button
    assert send(balie, kept, other.customer_number, page).status_code == 200
    db.session.expire_all()
    assert other.merged_into_id is None and counts(other)["payment"] == 1


def test_a_record_with_itself_a_merged_record_and_a_double_submit_are_refused(
    pair: tuple[Patron, Patron], balie: FlaskClient
) -> None:
    kept, other = pair
    itself = balie.get(merge_page(kept, kept.customer_number)).get_data(as_text=True)
    assert "Een record kan niet met zichzelf worden samengevoegd" in itself
    page = balie.get(merge_page(kept, other.customer_number))
    assert send(balie, kept, other.customer_number, page).status_code == 303
    again = send(balie, kept, other.customer_number, page)  # the same form, sent twice
    assert again.status_code == 200
    told = f"{other.customer_number} is al samengevoegd met een ander record"
    assert told in again.get_data(as_text=True)
    db.session.expire_all()
    merged = [e for e in entries(db.session, patron_id=kept.id) if e.action == "patron.merged"]
    assert len(merged) == 1


def test_a_record_changed_after_the_page_was_shown_is_refused(
    pair: tuple[Patron, Patron], balie: FlaskClient
) -> None:
    kept, other = pair
    page = balie.get(merge_page(kept, other.customer_number))
    other.city = "Meppel"
    db.session.commit()
    answer = send(balie, kept, other.customer_number, page)
    assert "is intussen gewijzigd" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert other.merged_into_id is None
    # The page shown again has the new difference to choose, and merges once sent.
    assert send(balie, kept, other.customer_number, answer, city="other").status_code == 303
    db.session.expire_all()
    assert (other.merged_into_id, kept.city) == (kept.id, "Meppel")


def test_the_desk_chooses_the_other_record_by_number_or_from_the_likely_duplicates(
    pair: tuple[Patron, Patron], balie: FlaskClient
) -> None:
    kept, other = pair
    start = f"/balie/klanten/{kept.customer_number}/samenvoegen"
    listed = balie.get(start).get_data(as_text=True)
    (card,) = db.session.scalars(select(Card.number).where(Card.patron_id == other.id))
    assert merge_page(kept, card) in listed  # a likely duplicate, by its card's number
    typed = balie.get(f"{start}?met={other.customer_number}")
    assert typed.location == merge_page(kept, other.customer_number)
    unknown = balie.get(f"{start}?met=2X99999999").get_data(as_text=True)
    assert 'aria-invalid="true"' in unknown and "Geen klant heeft dit nummer" in unknown


def test_a_merge_asks_for_a_fresh_code(
    pair: tuple[Patron, Patron], balie: FlaskClient, clock: ManualClock
) -> None:
    kept, other = pair
    page = balie.get(merge_page(kept, other.customer_number))
    clock.advance(timedelta(minutes=5, seconds=1))
    asked = send(balie, kept, other.customer_number, page)
    assert asked.status_code == 302 and asked.location.startswith(SECOND_STEP)
    db.session.expire_all()
    assert other.merged_into_id is None
    code = code_at(authenticator_of("balie"))
    assert type_code(balie, code, asked.location).location == merge_page(
        kept, other.customer_number
    )
    assert merge(balie, kept, other.customer_number).status_code == 303


def test_only_staff_merge(
    app: Flask,
    new_browser: Callable[[], FlaskClient],
    clock: ManualClock,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    clock.set(noon_on(DAY))
    kept = create_patron(db.session, None, now(), subscription="0045")
    other = create_patron(db.session, None, now())
    db.session.commit()
    patron = new_browser()
    member(patron)
    assert log_in(patron, "marieke85").status_code == 303
    assert patron.get(merge_page(kept, other.customer_number)).status_code == 403
    coordinator = desk_session(app, new_browser(), "coordinator", role="coordinator")
    assert merge(coordinator, kept, other.customer_number).status_code == 303


def test_every_table_referring_to_a_patron_has_a_rule() -> None:
    # A table added with a foreign key to patron.id fails here until REFERENCES says whether
    # a merge moves its rows, files them again or keeps them with the merged record.
    assert unclassified(Base.metadata) == set()
    assert set(REFERENCES) <= patron_references(Base.metadata)


def test_two_merges_of_the_same_records_at_once_merge_once(
    app: Flask, portal_instance: Callable[..., Flask], clock: ManualClock
) -> None:
    clock.set(noon_on(DAY))
    staff = create_account(db.session, now())
    kept = create_patron(db.session, None, now(), subscription="0045")
    other = create_patron(db.session, None, now())
    create_card(db.session, other, now())
    db.session.commit()
    ids = (staff.id, kept.id, other.id)
    shown = fingerprint(side_of(db.session, kept), side_of(db.session, other))
    outcomes: list[str] = []

    other_portal = portal_instance()  # before the threads (tests/support/threads.py says why)

    def merge_there() -> None:
        with other_portal.app_context():
            staff, kept, other = (
                db.session.get_one(model, id_)
                for model, id_ in zip((LoginAccount, Patron, Patron), ids, strict=True)
            )
            choice = Choice(frozenset(), shown, "nl")
            try:
                merge_committing(db.session(), staff, kept, other, choice, now())
                outcomes.append("merged")
            except DomainError as error:
                outcomes.append(error.code)
            db.session.remove()

    # Both start while this test holds the records; the one that gets them second finds the
    # other record merged already.
    for patron_id in sorted(ids[1:]):
        lock_row(db.session, Patron, patron_id)
    threads = started_waiting(merge_there, count=2)
    db.session.rollback()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["merge_already_merged", "merged"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Card.patron_id == kept.id)) == 1
    merged = select(func.count()).where(AuditEntry.action == "patron.merged")
    assert db.session.scalar(merged) == 2  # one on each record, once


FAIL_ON_POSTGRESQL = (
    "CREATE FUNCTION merge_fails() RETURNS trigger AS $$"
    " BEGIN RAISE EXCEPTION 'forced failure'; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER merge_fails BEFORE UPDATE OF patron_id ON subscription"
    " FOR EACH ROW EXECUTE FUNCTION merge_fails()",
)
FAIL_ON_SQLITE = (
    "CREATE TRIGGER merge_fails BEFORE UPDATE OF patron_id ON subscription"
    " BEGIN SELECT RAISE(ABORT, 'forced failure'); END",
)


def test_a_failure_half_way_leaves_both_records_as_they_were(
    app: Flask, clock: ManualClock
) -> None:
    clock.set(noon_on(DAY))
    staff = create_account(db.session, now())
    kept = create_patron(db.session, create_account(db.session, now()), now())
    other = create_patron(db.session, create_account(db.session, now()), now(), subscription="0045")
    for patron in (kept, other):
        create_card(db.session, patron, now())
    db.session.commit()
    # The database refuses moving subscriptions, after cards, ledger and payments moved.
    fail = FAIL_ON_POSTGRESQL if db.engine.dialect.name == "postgresql" else FAIL_ON_SQLITE
    for statement in fail:
        db.session.execute(text(statement))
    db.session.commit()
    before = {p.id: counts(p) for p in (kept, other)}
    shown = fingerprint(side_of(db.session, kept), side_of(db.session, other))
    db.session.rollback()
    choice = Choice(frozenset({"login", "main_card", "surname"}), shown, "nl")

    with pytest.raises(DBAPIError, match="forced failure"):
        merge_committing(db.session, staff, kept, other, choice, now())

    db.session.expire_all()
    assert {p.id: counts(p) for p in (kept, other)} == before
    assert other.merged_into_id is None and other.login_account_id is not None
    assert kept.surname != other.surname
    cards = db.session.scalars(select(Card.status).where(Card.patron_id.in_([kept.id, other.id])))
    assert set(cards) == {CardStatus.ACTIVE}
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    assert db.session.scalar(select(func.count()).where(PatronNameKey.patron_id == other.id)) > 0
