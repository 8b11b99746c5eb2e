"""The audit log: coordinators only, filtered by staff member and patron; the `audit` commands;
entries never changed, removed only past the retention period."""

import json
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.wiring import now
from shared.accounts.staff import find_by_username
from shared.cards.lookup import main_card
from shared.clock import ManualClock
from shared.desk.audit import entries, record
from shared.models.account import LoginAccount
from shared.models.audit import AppendOnly, AuditEntry
from shared.models.name_key import PatronNameKey
from shared.models.patron import Patron
from tests.support.accounts import log_in, member
from tests.support.factories import create_account, create_card, create_patron
from tests.support.staff import desk_session

PAGE = "/balie/audit"


@pytest.fixture
def desk(app: Flask, new_browser: Callable[[], FlaskClient]) -> FlaskClient:
    """A desk member "balie", logged in."""
    return desk_session(app, new_browser(), "balie", "desk")


@pytest.fixture
def coordinator(app: Flask, new_browser: Callable[[], FlaskClient]) -> FlaskClient:
    """A coordinator "coord", logged in."""
    return desk_session(app, new_browser(), "coord", "coordinator")


def two_patrons() -> tuple[Patron, Patron]:
    """Two patrons, the second with a card."""
    first = create_patron(db.session, None, now(), subscription="0045")
    second = create_patron(db.session, None, now(), subscription="0045")
    create_card(db.session, second, now())
    db.session.commit()
    return first, second


def look_at(browser: FlaskClient, patron: Patron) -> None:
    """Open the patron's screen."""
    assert browser.get(f"/balie/klanten/{patron.temporary_number}").status_code == 200


def rows(browser: FlaskClient, query: str = "") -> list[str]:
    """The audit page's rows as text (answered with 200)."""
    response = browser.get(PAGE + query)
    assert response.status_code == 200
    body = response.get_data(as_text=True).split("<tbody", 1)[-1]
    found = re.findall(r'<tr role="row">(.*?)</tr>', body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in found]


def card_of(patron: Patron) -> str:
    """The number of the patron's card."""
    card = main_card(db.session, patron)
    assert card is not None
    return card.number


def test_only_coordinators_see_the_audit_log(
    desk: FlaskClient, client: FlaskClient, new_browser: Callable[[], FlaskClient]
) -> None:
    response = desk.get(PAGE)
    assert response.status_code == 403
    assert "Geen toegang" in response.get_data(as_text=True)
    member(client)
    assert log_in(client, "marieke85").status_code == 303
    assert client.get(PAGE).status_code == 403
    anonymous = new_browser().get(PAGE)
    assert anonymous.status_code == 302 and "/inloggen" in anonymous.location


def test_the_coordinator_filters_by_staff_member_and_patron(
    desk: FlaskClient, coordinator: FlaskClient
) -> None:
    first, second = two_patrons()
    look_at(desk, first)
    look_at(desk, second)
    look_at(coordinator, second)
    number = card_of(second)
    everything = rows(coordinator)
    assert len(everything) == 3
    assert re.fullmatch(
        rf"\d\d-\d\d-\d{{4}}, \d\d:\d\d coord Klantscherm bekeken {number} –", everything[0]
    )
    assert [row.split()[2] for row in rows(coordinator, "?staff=BALIE")] == ["balie", "balie"]
    of_second = rows(coordinator, f"?patron={second.temporary_number}")
    assert [row.split()[2] for row in of_second] == ["coord", "balie"]
    both = rows(coordinator, f"?staff=balie&patron={number}")
    assert len(both) == 1 and number in both[0]
    page = coordinator.get(f"{PAGE}?staff=niemand").get_data(as_text=True)
    assert "Geen medewerker heeft de gebruikersnaam niemand." in page and "<tbody" not in page
    page = coordinator.get(f"{PAGE}?patron=123").get_data(as_text=True)
    assert "Geen klant heeft het nummer 123." in page


def record_change(patron: Patron, at_offset: timedelta = timedelta(0)) -> AuditEntry:
    """A change by the coordinator, written straight to the log, `at_offset` from now."""
    staff = find_by_username(db.session, "coord")
    assert staff is not None
    before, after = {"phone": "0612345678", "city": None}, {"phone": "0687654321", "city": "Assen"}
    entry = record(db.session, staff, "patron.changed", now() + at_offset, patron.id, before, after)
    db.session.commit()
    return entry


def test_values_before_and_after_are_readable(coordinator: FlaskClient) -> None:
    first, _ = two_patrons()
    record_change(first)
    [row] = rows(coordinator)
    assert row.endswith("Woonplaats: – → Assen; Telefoon: 0612345678 → 0687654321")
    screen = coordinator.get(f"/balie/klanten/{first.temporary_number}").get_data(as_text=True)
    assert "Woonplaats: – → Assen; Telefoon: 0612345678 → 0687654321" in screen


def audit_command(app: Flask, *args: str) -> str:
    """Run `audit ...`; its output (it must succeed)."""
    result = app.test_cli_runner().invoke(args=["audit", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_audit_show_lists_and_filters_as_text_and_json(
    app: Flask, desk: FlaskClient, coordinator: FlaskClient
) -> None:
    first, second = two_patrons()
    look_at(desk, first)
    record_change(second)
    lines = audit_command(app, "show").splitlines()
    assert len(lines) == 2
    assert lines[0].split("\t")[1:] == [
        "coord",
        "patron.changed",
        card_of(second),
        "city: - → Assen; phone: 0612345678 → 0687654321",
    ]
    shown = json.loads(audit_command(app, "show", "--staff", "balie", "--json"))
    assert shown == [
        {
            "at": now().isoformat(),
            "staff": "balie",
            "action": "patron.viewed",
            "patron": first.temporary_number,
            "before": None,
            "after": None,
        }
    ]
    by_patron = json.loads(audit_command(app, "show", "--patron", card_of(second), "--json"))
    assert [entry["action"] for entry in by_patron] == ["patron.changed"]
    unknown = app.test_cli_runner().invoke(args=["audit", "show", "--patron", "404"])
    assert unknown.exit_code != 0 and "no patron with number 404" in unknown.output


def test_audit_purge_removes_only_entries_past_retention(
    app: Flask, coordinator: FlaskClient, clock: ManualClock
) -> None:
    first, _ = two_patrons()
    record_change(first, -timedelta(days=731))
    kept = record_change(first, -timedelta(days=729)).id
    assert audit_command(app, "purge") == "removed 1 audit entries\n"
    db.session.expire_all()
    assert [e.id for e in entries(db.session, patron_id=first.id)] == [kept]
    clock.advance(timedelta(days=2))
    assert audit_command(app, "purge") == "removed 1 audit entries\n"
    db.session.expire_all()
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_entries_are_never_changed_or_deleted_one_by_one(coordinator: FlaskClient) -> None:
    first, _ = two_patrons()
    entry = record_change(first)
    entry.action = "patron.nothing"
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get_one(AuditEntry, entry.id))
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    assert db.session.get_one(AuditEntry, entry.id).action == "patron.changed"


@pytest.mark.parametrize(
    "change",
    [
        "action = 'patron.nothing'",
        "after = NULL",
        "patron_id = :other",
        "patron_id = NULL",
        "staff_account_id = NULL",
        "id = id + 1",
    ],
)
def test_the_database_refuses_to_change_an_entry_by_any_statement(
    coordinator: FlaskClient, change: str
) -> None:
    first, second = two_patrons()
    record_change(first)
    statement = text(f"UPDATE audit_entry SET {change} WHERE patron_id = :first")
    with pytest.raises(IntegrityError, match="append-only"):
        db.session.execute(statement, {"first": first.id, "other": second.id})
    db.session.rollback()


def test_removing_the_login_keeps_the_entry_without_it_and_a_patron_goes_only_with_its_values(
    coordinator: FlaskClient, clock: ManualClock
) -> None:
    patron = create_patron(db.session, None, now())
    staff = create_account(db.session, clock.now())
    entry = record(db.session, staff, "patron.changed", now(), patron.id, {"a": 1}, {"a": 2})
    db.session.commit()
    db.session.execute(delete(LoginAccount).where(LoginAccount.id == staff.id))
    db.session.commit()  # its foreign key sets the entry's staff id to NULL
    db.session.expire_all()
    kept = db.session.get_one(AuditEntry, entry.id)
    assert kept.staff_account_id is None
    assert (kept.staff_username, kept.action, kept.after) == (
        staff.username,
        "patron.changed",
        {"a": 2},
    )
    # A patron record goes only by erasure, which detaches its entries and clears their values
    # (test_privacy.py): the entry may not keep naming it, nor keep its values without it.
    db.session.execute(delete(PatronNameKey).where(PatronNameKey.patron_id == patron.id))
    db.session.execute(delete(Patron).where(Patron.id == patron.id))
    with pytest.raises(IntegrityError, match="append-only"):
        db.session.execute(text("UPDATE audit_entry SET patron_id = NULL"))
    db.session.rollback()
    db.session.execute(delete(PatronNameKey).where(PatronNameKey.patron_id == patron.id))
    db.session.execute(delete(Patron).where(Patron.id == patron.id))
    with pytest.raises(IntegrityError):
        db.session.commit()  # the entry still names the record
    db.session.rollback()
    assert db.session.get_one(Patron, patron.id).surname == patron.surname
