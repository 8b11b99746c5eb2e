"""The special subscriptions of seed 002 at the desk: Gratis for staff and volunteers, Leesklik,
the trial; selection codes such as Boekstart; and the cost build-up (a discount, a registration
fee) gone through with the patron before registering, then on the ledger line by line."""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.extensions import db
from shared.clock import ManualClock
from shared.models.ledger import EntryType, LedgerEntry
from shared.models.patron import Patron
from shared.payments import ledger
from shared.timeutil import NO_END, add_months
from tests.functional.portal.test_desk_registration import (
    SOMEONE_ELSE,
    error_at,
    patron_count,
    register,
    registered,
    today,
)
from tests.support.catalogue import ACTIONS, load_changed_catalogue
from tests.support.dates import years_before
from tests.support.factories import create_patron
from tests.support.staff import desk_session


@pytest.fixture
def desk(app: Flask, client: FlaskClient) -> FlaskClient:
    """A desk member's browser, logged in."""
    return desk_session(app, client)


@pytest.fixture
def with_actions(tmp_path: Path) -> None:
    """The catalogue again, with a registration fee of € 2.50 and two discounts."""
    load_changed_catalogue(tmp_path, "2.50", ACTIONS)


def text_of(response: TestResponse) -> str:
    """The page's text, its no-break spaces (in amounts) as spaces."""
    return response.get_data(as_text=True).replace("\xa0", " ")


def entries(patron: Patron) -> list[tuple[EntryType, Decimal, str, bool]]:
    """The patron's ledger: kind, amount, description and whether a payment brought it."""
    rows = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.patron_id == patron.id).order_by(LedgerEntry.id)
    )
    return [(e.entry_type, e.amount, e.description, e.payment_id is not None) for e in rows]


def agree(desk: FlaskClient, shown: TestResponse, **choices: str) -> TestResponse:
    """Press "agreed" under the costs the page shows, with the total it remembered."""
    total = re.search(r'name="agreed_total" type="hidden" value="([^"]*)"', text_of(shown))
    assert total and total[1], text_of(shown)
    return register(desk, agreed_total=total[1], agree_costs="1", **choices)


def test_gratis_for_staff_has_no_end_and_costs_nothing(desk: FlaskClient) -> None:
    response = register(desk, subscription="0001", selection="personeel")
    patron = registered(response)
    (subscription,) = patron.subscriptions
    assert subscription.type_code == "0001" and subscription.selection_code == "personeel"
    assert subscription.end_date == NO_END and subscription.price == 0
    assert entries(patron) == []
    screen = text_of(desk.get(response.location))
    assert "Gratis (selectie Personeel)" in screen and "geen einddatum" in screen


def test_gratis_for_a_volunteer_records_the_volunteer(desk: FlaskClient) -> None:
    patron = registered(register(desk, subscription="0001", selection="vrijwilliger"))
    assert patron.subscriptions[0].selection_code == "vrijwilliger"


@pytest.mark.parametrize("selection", ["", "boekstart"])
def test_gratis_must_say_who_it_is_for(desk: FlaskClient, selection: str) -> None:
    count = patron_count()
    html = error_at(register(desk, subscription="0001", selection=selection), "selection")
    assert "een selectie die zegt voor wie het is" in html
    assert patron_count() == count


def test_an_unknown_selection_is_refused(desk: FlaskClient) -> None:
    error_at(register(desk, selection="baas"), "selection")


def test_leesklik_has_no_end_and_costs_nothing(desk: FlaskClient) -> None:
    patron = registered(register(desk, subscription="0006"))
    (subscription,) = patron.subscriptions
    assert subscription.end_date == NO_END and subscription.selection_code is None
    assert ledger.balance(db.session, patron.id) == 0


def test_the_trial_runs_one_month_and_costs_nothing(desk: FlaskClient, clock: ManualClock) -> None:
    patron = registered(register(desk, subscription="0090"))
    (subscription,) = patron.subscriptions
    assert subscription.start_date == today(clock)
    assert subscription.end_date == add_months(today(clock), 1) - timedelta(days=1)
    assert entries(patron) == []


def test_the_desk_list_shows_the_special_subscriptions_with_prices(desk: FlaskClient) -> None:
    page = text_of(desk.get("/balie/klanten/nieuw"))
    for label in ("Gratis (0001), € 0,00", "Leesklik (0006)", "Proefabonnement (0090)"):
        assert label in page
    assert "Basis (0045), € 58,00" in page
    assert '<option value="vrijwilliger">Vrijwilliger</option>' in page


def test_boekstart_is_recorded_with_a_youth_member(desk: FlaskClient, clock: ManualClock) -> None:
    born = years_before(today(clock), 1).isoformat()
    details = {"birth_date": born, "first_name": "Sem", "subscription": ""}
    patron = registered(register(desk, selection="boekstart", **details))
    (subscription,) = patron.subscriptions
    assert (subscription.type_code, subscription.selection_code) == ("jeugd", "boekstart")


@pytest.mark.usefixtures("with_actions")
def test_a_discount_and_the_fee_are_gone_through_before_registering(desk: FlaskClient) -> None:
    count = patron_count()
    shown = register(desk, selection="actie")
    page = text_of(shown)
    assert shown.status_code == 200 and patron_count() == count
    assert "Opbouw abonnementskosten" in page
    lines = re.findall(r"<dt>([^<]+)</dt>\s*<dd>(?:<strong>)?([^<]+)<", page)
    assert lines[-4:] == [
        ("Abonnement Basis", "€ 58,00"),
        ("Korting Actie", "€ -10,00"),
        ("Inschrijfgeld", "€ 2,50"),
        ("Totaal", "€ 50,50"),
    ]
    patron = registered(agree(desk, shown, selection="actie"))
    (subscription,) = patron.subscriptions
    assert (subscription.price, subscription.discount) == (Decimal("58.00"), Decimal("10.00"))
    assert subscription.selection_code == "actie"
    start = subscription.start_date.isoformat()
    assert entries(patron) == [
        (EntryType.CHARGE, Decimal("58.00"), f"Basis {start}", False),
        (EntryType.PAYMENT, Decimal("10.00"), "Korting Actie", False),
        (EntryType.CHARGE, Decimal("2.50"), "Inschrijfgeld", False),
    ]
    assert ledger.balance(db.session, patron.id) == Decimal("50.50")
    # What is owed (at the kiosk, at the desk): the period less its discount, and the fee.
    owed = ledger.open_charges(db.session, patron.id)
    assert [(c.description, c.amount) for c in owed] == [
        (f"Basis {start}", Decimal("48.00")),
        ("Inschrijfgeld", Decimal("2.50")),
    ]


@pytest.mark.usefixtures("with_actions")
def test_the_patron_screen_shows_the_discount_as_a_credit(desk: FlaskClient) -> None:
    shown = register(desk, subscription="0053", selection="kwart")
    assert "€ -16,75" in text_of(shown)  # a quarter of € 67.00
    response = agree(desk, shown, subscription="0053", selection="kwart")
    registered(response)
    screen = text_of(desk.get(response.location))
    assert "Compleet (selectie Kwart eraf)" in screen
    assert "€ 67,00 (€ 16,75 korting op de eerste periode)" in screen
    assert re.search(r">Creditering<.*?>Korting Kwart eraf<.*?>€ 16,75<", screen, re.S)
    assert re.search(r">Kosten<.*?>Inschrijfgeld<.*?>€ 2,50<", screen, re.S)


@pytest.mark.usefixtures("with_actions")
def test_costs_agreed_for_another_choice_are_gone_through_again(desk: FlaskClient) -> None:
    count = patron_count()
    shown = register(desk, selection="actie")
    again = register(desk, selection="kwart", agreed_total="50.50", agree_costs="1")
    assert again.status_code == 200 and patron_count() == count
    assert "€ 46,00" in text_of(again)  # 58.00 - 14.50 + 2.50
    assert 'name="agreed_total" type="hidden" value="46.00"' in text_of(again)
    for forged in ("", "NaN", "sNaN", "veel"):
        refused = register(desk, selection="actie", agreed_total=forged, agree_costs="1")
        assert refused.status_code == 200 and "Opbouw abonnementskosten" in text_of(refused)
    assert patron_count() == count
    registered(agree(desk, shown, selection="actie"))


@pytest.mark.usefixtures("with_actions")
def test_a_subscription_with_a_fee_alone_is_gone_through_too(desk: FlaskClient) -> None:
    shown = register(desk, subscription="0045")
    assert "Inschrijfgeld" in text_of(shown) and "Korting" not in text_of(shown)
    patron = registered(agree(desk, shown, subscription="0045"))
    assert ledger.balance(db.session, patron.id) == Decimal("60.50")


@pytest.mark.usefixtures("with_actions")
def test_likely_duplicates_passed_stay_passed_while_the_costs_are_agreed(
    desk: FlaskClient, clock: ManualClock
) -> None:
    existing = create_patron(db.session, None, clock.now(), names=("M.J.", "van", "Dijk", ""))
    db.session.commit()
    passed = {"passed_duplicates": str(existing.id), "selection": "actie"}
    warned = register(desk, **passed)
    assert "Bestaat deze klant al?" in text_of(warned)
    shown = register(desk, create_anyway="1", **passed)
    assert "Opbouw abonnementskosten" in text_of(shown)
    made = registered(agree(desk, shown, **passed))
    assert made.id != existing.id
    # Without the duplicates passed, agreeing to the costs alone does not pass them.
    count = patron_count()
    again = agree(desk, shown, selection="actie")
    assert "Bestaat deze klant al?" in text_of(again) and patron_count() == count
    other = agree(desk, register(desk, **SOMEONE_ELSE), **SOMEONE_ELSE)
    assert registered(other).surname == "Zandstra"
