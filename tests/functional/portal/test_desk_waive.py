"""Waiving a charge at the desk (/balie/klanten/<number>/kwijtschelden): what is open of one
charge let go with a reason, on the ledger as a waiver that pays exactly that charge; a desk
member up to DESK_WAIVE_LIMIT (€ 25.00), a coordinator any amount; audited before and after."""

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from shared.clock import ManualClock
from shared.desk.audit import entries
from shared.models.desk import Desk, Waiver
from shared.models.ledger import EntryType, LedgerEntry
from shared.models.patron import Patron
from shared.payments import ledger
from tests.functional.portal.test_desk_payments import DAY, lapsed_member
from tests.functional.portal.test_renewal import a_year_on, subscription_of
from tests.support.accounts import member
from tests.support.desk_money import (
    DESK_TERMINAL,
    add_desk,
    charge,
    filled,
    money_page,
    staff_at,
    take,
    waive,
)


@pytest.fixture
def desk(app: Flask) -> Desk:
    """The desk Balie BALIE-HAL in Ruinerwold."""
    return add_desk(app, "BALIE-HAL")


@pytest.fixture
def staff(
    app: Flask, new_browser: Callable[[], FlaskClient], desk: Desk
) -> Callable[[str, str], FlaskClient]:
    """A staff member of a role, logged in and working at the desk."""

    return lambda username, role="desk": staff_at(app, new_browser(), desk, username, role)


@pytest.fixture
def patron(app: Flask, client: FlaskClient) -> Patron:
    """A member who owes a € 12.50 late fee and a € 40.00 lost book."""
    paid = member(client)
    charge(app, paid, "12.50", "Te laat", "fee-1")
    charge(app, paid, "40.00", "Boek kwijt", "lost-1")
    return paid


def waivers_of(patron: Patron) -> list[Waiver]:
    """The patron's waivers, oldest first."""
    db.session.expire_all()
    query = select(Waiver).where(Waiver.patron_id == patron.id).order_by(Waiver.id)
    return list(db.session.scalars(query))


def test_a_desk_member_waives_a_charge_within_the_limit_with_its_audit_entry(
    staff: Callable[[str, str], FlaskClient], patron: Patron, desk: Desk
) -> None:
    balie = staff("balie1", "desk")
    page = balie.get(money_page(patron, "kwijtschelden")).get_data(as_text=True)
    assert re.search(r"Te laat: €\s12,50", page) and re.search(r"tot €\s25,00", page)
    answer = waive(balie, patron, charge="manual:fee-1", reason="Boek lag in de inleverbus")
    assert answer.status_code == 303
    assert re.search(r"€\s12,50 is kwijtgescholden", balie.get(answer.location).get_data(True))
    [waiver] = waivers_of(patron)
    assert (waiver.amount, waiver.reason, waiver.desk_id) == (
        Decimal("12.50"),
        "Boek lag in de inleverbus",
        desk.id,
    )
    assert waiver.staff_username == "balie1"
    line = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.entry_type == EntryType.WAIVER)
    ).one()
    assert (line.dedupe_key, line.amount) == ("waiver:manual:fee-1", Decimal("12.50"))
    assert line.description == "Kwijtgescholden: Te laat"
    assert ledger.balance(db.session, patron.id) == Decimal("40.00")
    assert [c.key for c in ledger.open_charges(db.session, patron.id)] == ["manual:lost-1"]
    [entry] = [e for e in entries(db.session, patron_id=patron.id) if e.action == "charge.waived"]
    assert entry.before == {"balance": "52.50"}
    assert entry.after == {
        "balance": "40.00",
        "waived": "12.50",
        "reason": "Boek lag in de inleverbus",
        "charge": "Te laat",
        "desk": "BALIE-HAL",
    }
    screen = balie.get(f"/balie/klanten/{patron.customer_number}").get_data(as_text=True)
    assert "Kwijtgescholden: Te laat" in screen and "Post kwijtgescholden" in screen


def test_above_the_limit_a_desk_member_is_refused_with_the_reason_and_a_coordinator_may(
    staff: Callable[[str, str], FlaskClient], patron: Patron
) -> None:
    refused = waive(staff("balie1", "desk"), patron, charge="manual:lost-1", reason="Coulance")
    assert refused.status_code == 200
    said = refused.get_data(as_text=True)
    assert re.search(r"post van ten hoogste €\s25,00 kwijtschelden; deze post is €\s40,00", said)
    assert waivers_of(patron) == []
    coordinator = staff("coordinator1", "coordinator")
    done = waive(coordinator, patron, charge="manual:lost-1", reason="Coulance")
    assert done.status_code == 303
    assert [w.amount for w in waivers_of(patron)] == [Decimal("40.00")]
    assert ledger.balance(db.session, patron.id) == Decimal("12.50")


def test_a_part_paid_charge_waives_only_what_is_open_and_the_limit_holds_its_full_amount(
    staff: Callable[[str, str], FlaskClient], patron: Patron
) -> None:
    balie = staff("balie1", "desk")
    take(balie, patron, means="cash", amount="30,00")  # the fee, then 17.50 of the lost book
    refused = waive(balie, patron, charge="manual:lost-1", reason="Coulance")  # 22.50 open
    assert re.search(r"deze post is €\s40,00", refused.get_data(as_text=True))
    coordinator = staff("coordinator1", "coordinator")
    assert waive(coordinator, patron, charge="manual:lost-1", reason="Coulance").status_code == 303
    assert [w.amount for w in waivers_of(patron)] == [Decimal("22.50")]
    assert ledger.balance(db.session, patron.id) == 0  # no credit for a desk to refund


def test_no_waiving_while_a_terminal_collects_else_its_payment_would_leave_a_credit(
    app: Flask,
    new_browser: Callable[[], FlaskClient],
    patron: Patron,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    pin_desk = add_desk(app, "BALIE-PIN", "--terminal", DESK_TERMINAL)
    balie = staff_at(app, new_browser(), pin_desk, "balie1")
    started = take(balie, patron, means="terminal", amount="12,50")
    assert started.status_code == 303
    refused = waive(balie, patron, charge="manual:fee-1", reason="Boek lag in de inleverbus")
    assert refused.status_code == 200
    assert "Een pinautomaat int een betaling" in refused.get_data(as_text=True)
    assert waivers_of(patron) == []
    token = filled(balie, started.location)["csrf_token"]
    assert balie.post(f"{started.location}/stoppen", data={"csrf_token": token}).status_code == 303
    done = waive(balie, patron, charge="manual:fee-1", reason="Boek lag in de inleverbus")
    assert done.status_code == 303 and [w.amount for w in waivers_of(patron)] == [Decimal("12.50")]


def test_a_reason_is_required_and_a_double_submit_waives_once(
    staff: Callable[[str, str], FlaskClient], patron: Patron
) -> None:
    balie = staff("balie1", "desk")
    empty = waive(balie, patron, charge="manual:fee-1", reason="   ")
    assert "Geef de reden waarom" in empty.get_data(as_text=True)
    path = money_page(patron, "kwijtschelden")
    fields = {**filled(balie, path), "charge": "manual:fee-1", "reason": "Vergissing"}
    answers = [balie.post(path, data=fields) for _ in range(2)]
    assert [a.status_code for a in answers] == [303, 200]
    assert 'id="charge-error"' in answers[1].get_data(as_text=True)  # no longer offered
    assert len(waivers_of(patron)) == 1
    waived = [e for e in entries(db.session, patron_id=patron.id) if e.action == "charge.waived"]
    assert len(waived) == 1


def test_a_waived_renewal_period_counts_as_paid(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    staff: Callable[[str, str], FlaskClient],
) -> None:
    lapsed, end = lapsed_member(app, client, clock)
    [period] = ledger.open_charges(db.session, lapsed.id)
    coordinator = staff("coordinator1", "coordinator")
    assert (
        waive(coordinator, lapsed, charge=period.key, reason="Overleden partner").status_code == 303
    )
    renewed = subscription_of(lapsed)
    assert (renewed.status, renewed.end_date) == ("normal", a_year_on(end))
    assert renewed.usable_on(end + 31 * DAY)
