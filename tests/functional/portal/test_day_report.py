"""The day report of the cash drawer: `desk day-report --date … [--branch] [--desk] --json` and
/balie/dagrapport count, per desk and per branch, what was paid that local day at a desk or a
kiosk of the branch by each means, what was waived and refunded, and they match the ledger."""

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, or_, select

from portal.extensions import db
from shared.clock import ManualClock
from shared.desk.day_report import day_bounds
from shared.models.ledger import EntryType, LedgerEntry
from shared.models.patron import Patron
from shared.models.payment import Payment
from shared.payments import ledger
from shared.timeutil import local_today
from tests.functional.portal.test_desk_payments import payments_of
from tests.support.accounts import member
from tests.support.dates import noon_on
from tests.support.desk_money import (
    DESK_TERMINAL,
    add_desk,
    charge,
    day_report_json,
    refund,
    staff_at,
    take,
    waive,
)
from tests.support.kiosk_api import kiosk_payment, register_kiosk
from tests.support.staff import desk_session

ZEROS = {"ideal": "0.00", "directdebit": "0.00", "pointofsale": "0.00", "cash": "0.00"}


@pytest.fixture
def day(clock: ManualClock, mollie_sandbox) -> date:  # noqa: ANN001
    """Tomorrow at noon on the portal's and the sandbox's clock (Mollie stamps paidAt)."""
    moment = noon_on(local_today(clock.now()) + timedelta(days=1))
    clock.set(moment)
    mollie_sandbox.set_clock(moment)
    return local_today(moment)


def totals(**amounts: str) -> dict[str, object]:
    """A report's totals: the methods (others zero), taken, waived, refunded, drawer."""
    methods = {k: v for k, v in amounts.items() if k in ZEROS}
    rest = {k: v for k, v in amounts.items() if k not in ZEROS}
    zero = {"taken": "0.00", "waived": "0.00", "refunded": "0.00", "drawer": "0.00"}
    return {"methods": ZEROS | methods} | zero | rest


def patron_owing(app: Flask, browser: FlaskClient, name: str, *charges: str) -> Patron:
    """A member (signed up in `browser`) with these charges (amounts) on the ledger."""
    patron = member(browser, username=name, email=f"{name}@example.nl")
    for number, amount in enumerate(charges):
        charge(app, patron, amount, f"Post {number}", f"{name}-{number}")
    return patron


def test_the_day_report_counts_each_desk_and_the_kiosks_of_the_branch_and_matches_the_ledger(
    app: Flask,
    day: date,
    clock: ManualClock,
    client: FlaskClient,
    new_browser: Callable[[], FlaskClient],
    mollie_sandbox,  # noqa: ANN001
    portal_server: str,
) -> None:
    hal = add_desk(app, "BALIE-HAL", "--terminal", DESK_TERMINAL)
    annen = add_desk(app, "BALIE-ANNEN", branch="9401")
    anna = patron_owing(app, client, "anna", "12.50", "40.00")
    bert = patron_owing(app, new_browser(), "bert", "10.00")
    balie = staff_at(app, new_browser(), hal, "balie1")
    coordinator = staff_at(app, new_browser(), hal, "coordinator1", "coordinator")
    take(balie, anna, means="cash", amount="5,00")
    take(balie, anna, means="terminal", amount="7,50")
    mollie_sandbox.set_status(payments_of(anna)[1].provider_id, "paid")
    waive(coordinator, anna, charge="manual:anna-1", reason="Coulance")
    refund(coordinator, anna, payments_of(anna)[0], amount="2,00", description="Vergissing")
    elders = staff_at(app, new_browser(), annen, "balie2")
    take(elders, bert, means="cash", amount="3,00")
    kiosk = register_kiosk(app, "Kiosk", "--terminal", "term_sandboxKiosk1")
    started = kiosk_payment(client, kiosk, bert, "kiosk-pays-bert")
    assert started.status_code == 201, started.json
    mollie_sandbox.set_status(_kiosk_payment_of(bert), "paid")
    assert ledger.balance(db.session, bert.id) == 0

    report = day_report_json(app, day.isoformat(), "--branch", "5270")
    hal_totals = totals(cash="5.00", pointofsale="7.50", taken="12.50", waived="40.00")
    hal_totals |= {"refunded": "2.00", "drawer": "3.00"}
    assert report == {
        "date": day.isoformat(),
        "branch": "5270",
        **totals(cash="5.00", pointofsale="14.50", taken="19.50", waived="40.00")
        | {"refunded": "2.00", "drawer": "3.00"},
        "desks": [{"desk": "BALIE-HAL", "name": "Balie BALIE-HAL", "branch": "5270"} | hal_totals],
        "kiosks": totals(pointofsale="7.00", taken="7.00"),
    }
    everywhere = day_report_json(app, day.isoformat())
    assert (everywhere["branch"], everywhere["taken"], everywhere["drawer"]) == (
        None,
        "22.50",
        "6.00",
    )
    assert [d["desk"] for d in everywhere["desks"]] == ["BALIE-HAL", "BALIE-ANNEN"]
    assert _ledger_of(day) == {
        EntryType.PAYMENT: Decimal(everywhere["taken"]),
        EntryType.WAIVER: Decimal(everywhere["waived"]),
        EntryType.REFUND: Decimal(everywhere["refunded"]),
    }
    one = day_report_json(app, day.isoformat(), "--desk", "BALIE-ANNEN")
    assert one["branch"] == "9401" and one["methods"]["cash"] == "3.00"
    assert one["kiosks"] == totals() and len(one["desks"]) == 1

    page = balie.get(f"/balie/dagrapport?datum={day.isoformat()}&vestiging=5270")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "data-print" in html and "print.css" in html
    assert re.search(
        r"Kassa \(contant ontvangen min contant terugbetaald\)</th><td[^>]*>€\s3,00", html
    )
    assert "Balie BALIE-ANNEN (BALIE-ANNEN)" not in html

    clock.advance(timedelta(days=1))
    mollie_sandbox.set_clock(clock.now())
    next_day = staff_at(app, new_browser(), hal, "balie3")  # a staff session ends overnight
    take(next_day, anna, means="cash", amount="2,00")
    assert day_report_json(app, day.isoformat(), "--branch", "5270")["taken"] == "19.50"
    later = day_report_json(app, (day + timedelta(days=1)).isoformat(), "--branch", "5270")
    assert later["methods"]["cash"] == "2.00" and later["waived"] == "0.00"


def _kiosk_payment_of(patron: Patron) -> str:
    """The provider id of the patron's kiosk payment."""
    db.session.expire_all()
    query = select(Payment.provider_id).where(
        Payment.patron_id == patron.id, Payment.kiosk_device_id.is_not(None)
    )
    return db.session.scalars(query).one()


def _ledger_of(day: date) -> dict[EntryType, Decimal]:
    """What the ledger booked that day, by entry type, of the payments taken at desks and kiosks
    and their refunds, and the waivers (the members' own signup payments left out)."""
    start, end = day_bounds(day)
    at_desk_or_kiosk = or_(Payment.desk_id.is_not(None), Payment.kiosk_device_id.is_not(None))
    rows = db.session.execute(
        select(LedgerEntry.entry_type, func.sum(LedgerEntry.amount))
        .outerjoin(Payment, Payment.id == LedgerEntry.payment_id)
        .where(LedgerEntry.created_at >= start, LedgerEntry.created_at < end)
        .where(or_(LedgerEntry.payment_id.is_(None), at_desk_or_kiosk))
        .where(LedgerEntry.entry_type != EntryType.CHARGE)
        .group_by(LedgerEntry.entry_type)
    )
    return {kind: Decimal(amount) for kind, amount in rows}


def test_the_report_refuses_an_unknown_branch_or_desk_and_a_wrong_date(
    app: Flask, new_browser: Callable[[], FlaskClient]
) -> None:
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["desk", "day-report", "--date", "2026-12-05", "--branch", "0000"])
    assert unknown.exit_code == 1 and "unknown_branch" in unknown.output
    wrong = runner.invoke(args=["desk", "day-report", "--date", "5-12-2026"])
    assert wrong.exit_code == 2
    table = runner.invoke(args=["desk", "day-report", "--date", "2026-12-05"])
    assert table.exit_code == 0 and "drawer" in table.output and "all branches" in table.output
    balie = desk_session(app, new_browser(), "balie1")
    assert balie.get("/balie/dagrapport?datum=gisteren").status_code == 400
    assert balie.get("/balie/dagrapport?balie=NIETS").status_code == 404
    no_desk = balie.get("/balie/balie-kiezen").get_data(as_text=True)
    assert 'role="alert">Er is nog geen balie' in no_desk
    add_desk(app, "BALIE-HAL")  # in Ruinerwold (5270)
    elsewhere = ["desk", "day-report", "--date", "2026-12-05", "--branch", "9401"]
    refused = runner.invoke(args=[*elsewhere, "--desk", "BALIE-HAL"])
    assert refused.exit_code == 1 and "desk_not_in_branch" in refused.output
    page = balie.get("/balie/dagrapport?vestiging=9401&balie=BALIE-HAL")
    said = page.get_data(as_text=True)
    assert page.status_code == 404 and 'role="alert">Balie BALIE-HAL hoort niet bij' in said
    assert balie.get("/balie/dagrapport?balie=BALIE-HAL").status_code == 200
