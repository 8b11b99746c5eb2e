"""Privacy (AVG) for a patron with duplicate records merged into theirs: the merged records keep
their own personal data, so the export shows it and an erasure removes them too, in the same
transaction; their money and subscriptions stand in the way like the patron's own; a database
failure during an erasure at the desk changes nothing and says so."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from portal.extensions import db
from portal.wiring import now
from shared.clock import ManualClock
from shared.db import Base
from shared.desk.merge import Choice, merge_committing
from shared.desk.merge_sides import fingerprint, side_of
from shared.models.audit import AuditEntry
from shared.models.erasure import PatronErasure
from shared.models.patron import Patron
from shared.models.payment import Payment
from shared.payments import ledger
from shared.privacy.erasure import ErasureRefused, erase
from tests.functional.portal.test_privacy import exported
from tests.support.dates import noon_on
from tests.support.factories import create_account, create_patron, create_payment
from tests.support.signup import csrf_token
from tests.support.staff import desk_session

DAY = date(date.today().year + 1, 3, 10)
# The merged record's own data, found nowhere else: none of it may be left after the erasure.
OLD = {
    "surname": "Oudnaam",
    "first_name": "Jozias",
    "phone": "0611111111",
    "iban": "NL91ABNA0417164300",
    "library_email": "jozias.oud@example.nl",
    "street": "Wolfsbergweg",
    "birth_date": date(1961, 7, 23),
}


@pytest.fixture
def coordinator(
    app: Flask, new_browser: Callable[[], FlaskClient], clock: ManualClock
) -> FlaskClient:
    """A coordinator, logged in with a fresh code on the day of the tests."""
    clock.set(noon_on(DAY))
    return desk_session(app, new_browser(), "coordinator", "coordinator")


def merged_pair(clock: ManualClock) -> tuple[Patron, Patron]:
    """A patron, and a duplicate record of theirs with data of its own merged into it at the
    desk (the desk keeping the patron's own details)."""
    clock.set(noon_on(DAY))
    survivor = create_patron(db.session, create_account(db.session, now()), now())
    other = create_patron(db.session, None, now(), names=("J.", "", "Oudnaam", "Jozias"))
    for field, value in OLD.items():
        setattr(other, field, value)
    payment = create_payment(db.session, other, now())
    payment.description = f"Basis {other.customer_number}"  # as a desk terminal's says
    staff = create_account(db.session, now())
    db.session.commit()
    shown = fingerprint(side_of(db.session, survivor), side_of(db.session, other))
    merge_committing(db.session, staff, survivor, other, Choice(frozenset(), shown, "nl"), now())
    db.session.expire_all()
    return survivor, other


def merged_into(record: Patron, name: str) -> Patron:
    """A record merged into this one before merges pointed every earlier one at the record that
    stays: a chain to follow."""
    older = create_patron(db.session, None, now(), names=("K.", "", name, ""))
    older.merged_into_id, older.merged_at = record.id, now()
    db.session.commit()
    return older


def test_the_export_holds_the_personal_data_of_the_records_merged_into_the_patron(
    app: Flask,
    clock: ManualClock,
    coordinator: FlaskClient,
) -> None:
    survivor, other = merged_pair(clock)
    older = merged_into(other, "Eerstenaam")
    held = exported(app, other.customer_number)  # the merged record's number finds the patron
    assert held["personal_data"]["id"] == survivor.id
    assert held["personal_data"]["surname"] == survivor.surname
    first, second = held["merged_records"]
    assert (first["id"], first["merged_into_id"], second["id"]) == (other.id, survivor.id, older.id)
    assert {field: first[field] for field in OLD} == {
        **OLD,
        "birth_date": OLD["birth_date"].isoformat(),
    }
    assert first["home_branch"] == survivor.home_branch.name
    assert second["surname"] == "Eerstenaam"
    merges = [entry for entry in held["audit_entries"] if entry["action"] == "patron.merged"]
    assert {entry["patron_id"] for entry in merges} == {survivor.id, other.id}
    (own,) = (entry for entry in merges if entry["patron_id"] == other.id)
    assert own["before"]["phone"] == OLD["phone"]  # the merged record's values before
    page = coordinator.get(f"/balie/klanten/{other.customer_number}/inzage")
    shown = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Dubbele klantrecords die hierin zijn samengevoegd" in shown
    assert OLD["iban"] in shown and "Eerstenaam" in shown


def everything_stored() -> str:
    """Every value of every row in the database, as one lower-case text."""
    db.session.expire_all()
    values = [
        str(value)
        for table in Base.metadata.sorted_tables
        for row in db.session.execute(select(table))
        for value in row
    ]
    return "\n".join(values).casefold()


def erase_at_the_desk(coordinator: FlaskClient, number: str) -> tuple[int, str]:
    """The coordinator erases the patron with this number: the answer's status and page."""
    page = coordinator.get(f"/balie/klanten/{number}/wissen")
    form = {"csrf_token": csrf_token(page), "asked": "y"}
    answer = coordinator.post(f"/balie/klanten/{number}/wissen", data=form)
    return answer.status_code, answer.get_data(as_text=True)


def test_erasing_the_patron_erases_the_records_merged_into_it_and_leaves_no_personal_data(
    clock: ManualClock,
    coordinator: FlaskClient,
) -> None:
    survivor, other = merged_pair(clock)
    older = merged_into(other, "Eerstenaam")
    records = [survivor.id, other.id, older.id]
    numbers = [survivor.customer_number, other.customer_number, older.customer_number]
    surname = survivor.surname
    created = {record.id: record.created_at for record in (survivor, other, older)}
    stored = everything_stored()
    assert "oudnaam" in stored and OLD["iban"].casefold() in stored
    page = coordinator.get(f"/balie/klanten/{other.customer_number}/wissen")
    merged = f"worden mee gewist: {numbers[1]}, {numbers[2]}."
    assert merged in page.get_data(as_text=True)
    assert erase_at_the_desk(coordinator, other.customer_number)[0] == 303

    stored = everything_stored()
    for value in (*OLD.values(), "Eerstenaam", surname, *numbers):
        assert str(value).casefold() not in stored, value
    assert db.session.scalars(select(Patron).where(Patron.id.in_(records))).all() == []
    erasures = db.session.scalars(select(PatronErasure).order_by(PatronErasure.id)).all()
    assert {(e.patron_id, e.patron_created_at) for e in erasures} == set(created.items())
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "patron.merged"))
    assert [(e.patron_id, e.before, e.after) for e in entries] == [(None, None, None)] * 2
    (erased,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "patron.erased"))
    assert erased.after is not None
    merged = f"{records[1]}, {records[2]}"
    assert (erased.after["record"], erased.after["merged_records"]) == (records[0], merged)
    (kept,) = db.session.scalars(select(Payment)).all()
    assert (kept.patron_id, kept.description) == (None, "Basis -")


def test_what_stands_in_the_way_on_a_merged_record_refuses_the_erasure(
    app: Flask, clock: ManualClock
) -> None:
    survivor, other = merged_pair(clock)
    # Money booked on the merged record by what still knew its id (a merge moves the ledger).
    ledger.charge(db.session, other.id, Decimal("2.50"), "Te laat", "fee-old", now())
    db.session.commit()
    staff = create_account(db.session, now())
    with pytest.raises(ErasureRefused) as refused:
        erase(db.session, survivor, staff, now())
    assert [reason.code for reason in refused.value.reasons] == ["erasure_balance"]
    db.session.rollback()
    assert db.session.get(Patron, other.id) is not None


def test_erasing_a_record_merged_away_meanwhile_is_refused(app: Flask, clock: ManualClock) -> None:
    survivor, other = merged_pair(clock)
    with pytest.raises(ErasureRefused) as refused:
        erase(db.session, other, create_account(db.session, now()), now())
    assert [reason.code for reason in refused.value.reasons] == ["erasure_merged"]


# A database that refuses to delete a patron row: an unexpected failure halfway the erasure.
KEEP_PATRONS = {
    "sqlite": [
        "CREATE TRIGGER test_keep_patrons BEFORE DELETE ON patron"
        " BEGIN SELECT RAISE(ABORT, 'kept by the test'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION test_keep_patrons() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'kept by the test'; END $$",
        "CREATE TRIGGER test_keep_patrons BEFORE DELETE ON patron"
        " FOR EACH ROW EXECUTE FUNCTION test_keep_patrons()",
    ],
}


def test_a_database_failure_during_the_erasure_changes_nothing_and_says_so(
    clock: ManualClock,
    coordinator: FlaskClient,
) -> None:
    survivor, other = merged_pair(clock)
    other_id = other.id
    before = everything_stored()
    for statement in KEEP_PATRONS[db.engine.dialect.name]:
        db.session.execute(text(statement))
    db.session.commit()
    status, page = erase_at_the_desk(coordinator, survivor.customer_number)
    assert status == 503
    assert "Wissen is mislukt en er is niets veranderd" in page
    assert everything_stored() == before  # nothing anonymised, deleted or detached
    db.session.execute(text("DROP TRIGGER test_keep_patrons" + _on_patron()))
    db.session.commit()
    clock.advance(timedelta(minutes=1))
    assert erase_at_the_desk(coordinator, survivor.customer_number)[0] == 303
    assert db.session.get(Patron, other_id) is None


def _on_patron() -> str:
    """What DROP TRIGGER needs after the trigger's name on this database."""
    return " ON patron" if db.engine.dialect.name == "postgresql" else ""


def test_every_reference_from_a_patron_to_a_patron_is_followed() -> None:
    patron = Base.metadata.tables["patron"]
    to_patrons = {key.parent.name for key in patron.foreign_keys if key.column.table is patron}
    # shared/privacy/holdings.py::merged_into follows this one; a new one needs following too.
    assert to_patrons == {"merged_into_id"}
