"""Privacy (AVG) at the desk and on the command line: everything held about a patron exported
(JSON and a readable page), and a patron erased at their request, refused while anything is
owed, runs or is not final; payments kept anonymised and purged after the bookkeeping period."""

import json
import threading
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from portal.extensions import db
from portal.wiring import now
from shared.cards.secondary import attach_secondaries
from shared.clock import ManualClock
from shared.db import lock_row
from shared.mail.outbox import enqueue
from shared.models.account import LoginAccount
from shared.models.audit import AuditEntry
from shared.models.card import Card, CardRole, CardStatus
from shared.models.desk import Waiver
from shared.models.erasure import PatronErasure
from shared.models.id_check import DeskIdCheck
from shared.models.mail import OutboxMail
from shared.models.name_key import NameField, NameTerm
from shared.models.patron import Patron
from shared.models.payment import Payment
from shared.patrons.lookup import find_patron_by_any_number
from shared.payments import ledger
from shared.privacy.erasure import ErasureRefused, erase
from shared.timeutil import LOCAL_TZ
from tests.functional.portal.test_desk_cancellation import cancel
from tests.functional.portal.test_desk_search import ids
from tests.functional.portal.test_staff_patron_screen import id_checks
from tests.support.accounts import give_card, log_in, member
from tests.support.dates import noon_on
from tests.support.desk_money import add_desk, charge, day_report_json, staff_at, waive
from tests.support.factories import create_account, create_card, create_patron
from tests.support.signup import csrf_token
from tests.support.staff import desk_session, screen
from tests.support.threads import started_waiting

CARD = "2527000000016"
SECRETS = ("password_hash", "webhook_secret", "code_hash", "token_hash", "idempotency_key")


@pytest.fixture
def staff(app: Flask, new_browser: Callable[[], FlaskClient]) -> Callable[..., FlaskClient]:
    """A staff member of a role logged in, in a browser of their own."""
    return lambda name, role="desk": desk_session(app, new_browser(), name, role)


def run(app: Flask, *args: str) -> Result:
    """A `privacy` command, its output and exit code."""
    return app.test_cli_runner().invoke(args=["privacy", *args])


def exported(app: Flask, number: str) -> dict[str, Any]:
    """What `privacy export` prints for the number."""
    result = run(app, "export", number)
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def audited(action: str) -> list[AuditEntry]:
    """The audit entries of this action, oldest first."""
    db.session.expire_all()
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


def ended_member(
    client: FlaskClient, clock: ManualClock, staff: Callable[..., FlaskClient]
) -> Patron:
    """A paid Basis member with a card, whose subscription the desk cancelled yesterday (no
    refund): nothing owed, nothing runs."""
    clock.set(noon_on(date.today() + timedelta(days=40)))
    patron = member(client)
    give_card(patron, CARD)
    desk = staff("balie")
    assert cancel(desk, patron, when="now", reason="verhuisd", refund="no").status_code == 303
    clock.advance(timedelta(days=1))
    return patron


def test_the_export_holds_everything_about_the_patron_and_no_secret(
    app: Flask,
    client: FlaskClient,
    staff: Callable[..., FlaskClient],
    mollie_sandbox,  # noqa: ANN001
) -> None:
    patron = member(client, "0045", plan="direct_debit")
    give_card(patron, CARD)
    id_checks(patron)
    db.session.add(DeskIdCheck(patron_id=patron.id, checked_at=now(), staff_username="balie"))
    db.session.commit()
    screen(staff("balie"), CARD)  # an audit entry

    held = exported(app, CARD)
    assert held["personal_data"]["surname"] == patron.surname
    assert held["personal_data"]["iban"] == patron.iban  # the patron's own, in full
    assert [card["number"] for card in held["cards"]] == [CARD]
    assert [s["type_code"] for s in held["subscriptions"]] == ["0045"]
    assert held["payments"][0]["status"] == "paid" and held["payments"][0]["provider_id"]
    assert held["ledger"] and held["mandates"][0]["status"] == "valid"
    assert held["mandates"][0]["iban"]
    assert held["id_checks"][0]["outcome"] == "verified" and held["desk_id_checks"]
    assert {mail["kind"] for mail in held["mails"]} >= {"welcome"}
    assert held["login_account"]["email"] == patron.login_account.email
    assert [entry["action"] for entry in held["audit_entries"]] == ["patron.viewed"]
    assert held["registration"][0]["state"] == "completed"
    words = json.dumps(held)
    for secret in (*SECRETS, "message", "staff_username", "public_id", "dedupe_key"):
        assert f'"{secret}"' not in words, secret
    assert patron.login_account.password_hash not in words
    assert "balie" not in words  # the staff member stays unnamed


def test_an_unknown_number_exports_nothing(app: Flask) -> None:
    result = run(app, "export", "2X0000000")
    assert result.exit_code == 1
    assert "no patron with number 2X0000000" in result.stderr and result.stdout == ""


def test_the_desk_downloads_the_json_and_reads_the_page_each_audited(
    client: FlaskClient,
    staff: Callable[..., FlaskClient],
    mollie_sandbox,  # noqa: ANN001
) -> None:
    patron = member(client)
    desk = staff("balie")
    assert "Vastgelegde gegevens downloaden als JSON" in screen(desk, patron.customer_number)
    download = desk.get(f"/balie/klanten/{patron.customer_number}/inzage.json")
    assert download.status_code == 200 and download.mimetype == "application/json"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.get_json()["personal_data"]["surname"] == patron.surname
    page = desk.get(f"/balie/klanten/{patron.customer_number}/inzage")
    shown = page.get_data(as_text=True)
    assert page.status_code == 200 and "Persoonsgegevens" in shown and patron.surname in shown
    handed = audited("patron.exported")
    assert [(e.patron_id, e.after, e.staff_username) for e in handed] == [
        (patron.id, {"format": "json"}, "balie"),
        (patron.id, {"format": "html"}, "balie"),
    ]


def test_only_a_coordinator_with_a_fresh_code_erases_and_a_patron_sees_nothing(
    client: FlaskClient,
    clock: ManualClock,
    staff: Callable[..., FlaskClient],
    mollie_sandbox,  # noqa: ANN001
) -> None:
    patron = member(client)
    number = patron.customer_number
    log_in(client, number)
    for path in ("inzage", "inzage.json", "wissen"):
        assert client.get(f"/balie/klanten/{number}/{path}").status_code == 403
    desk = staff("balie")
    assert desk.get(f"/balie/klanten/{number}/wissen").status_code == 403
    assert "Klant wissen" not in screen(desk, number)
    coordinator = staff("coordinator", "coordinator")
    assert coordinator.get(f"/balie/klanten/{number}/wissen").status_code == 200
    clock.advance(timedelta(minutes=6))
    asked = coordinator.get(f"/balie/klanten/{number}/wissen")
    assert asked.status_code == 302 and "/balie/tweede-stap" in asked.location


def test_erasing_is_refused_with_every_reason_while_anything_runs_or_is_owed(
    app: Flask,
    client: FlaskClient,
    staff: Callable[..., FlaskClient],
    mollie_sandbox,  # noqa: ANN001
) -> None:
    patron = member(client, "0045", plan="direct_debit")
    fee = ["ledger", "charge", patron.customer_number, "2.50", "Te laat", "--key", "fee-1"]
    assert app.test_cli_runner().invoke(args=fee).exit_code == 0
    coordinator = staff("coordinator", "coordinator")
    result = run(app, "erase", patron.customer_number, "--staff", "coordinator", "--yes")
    assert result.exit_code == 1
    refused = [line.split(":")[1].strip() for line in result.stderr.splitlines()]
    assert refused == ["erasure_balance", "erasure_subscription_runs", "erasure_mandate"]
    page = coordinator.get(f"/balie/klanten/{patron.customer_number}/wissen")
    shown = page.get_data(as_text=True)
    assert "De klant kan nog niet gewist worden" in shown
    assert "stop eerst de incasso" in shown and "het saldo moet nul zijn" in shown
    assert 'name="asked"' not in shown
    assert find_patron_by_any_number(db.session, patron.customer_number) is not None
    assert audited("patron.erased") == []


def test_an_open_payment_or_a_blacklist_stands_in_the_way(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    staff: Callable[..., FlaskClient],
    mollie_sandbox,  # noqa: ANN001
) -> None:
    patron = ended_member(client, clock, staff)
    paid = db.session.scalars(select(Payment).where(Payment.patron_id == patron.id)).one()
    paid.status = "open"
    subscription = patron.subscriptions[0]
    subscription.status = "blacklisted"
    db.session.commit()
    result = run(app, "erase", CARD, "--staff", "coordinator", "--yes")
    assert "no coordinator with username coordinator" in result.stderr
    staff("coordinator", "coordinator")
    result = run(app, "erase", CARD, "--staff", "coordinator", "--yes")
    refused = [line.split(":")[1].strip() for line in result.stderr.splitlines()]
    assert refused == ["erasure_blacklisted", "erasure_payment_open"]


def refusals(app: Flask, number: str) -> list[str]:
    """The codes `privacy erase` refuses the patron with (none: erased)."""
    result = run(app, "erase", number, "--staff", "coordinator", "--yes")
    assert result.exit_code == (1 if result.stderr else 0), result.output
    return [line.split(":")[1].strip() for line in result.stderr.splitlines()]


def test_a_direct_debit_the_bank_may_still_reverse_stands_in_the_way_for_8_weeks(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    staff: Callable[..., FlaskClient],
    mollie_sandbox,  # noqa: ANN001
) -> None:
    patron = ended_member(client, clock, staff)
    collected = db.session.scalars(select(Payment).where(Payment.patron_id == patron.id)).one()
    collected.method, collected.paid_at = "directdebit", now() - timedelta(days=55)
    db.session.commit()
    staff("coordinator", "coordinator")
    assert refusals(app, CARD) == ["erasure_direct_debit_reversible"]
    clock.advance(timedelta(days=2))
    assert refusals(app, CARD) == []


def test_stopped_direct_debit_stands_in_the_way_for_8_weeks(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    staff: Callable[..., FlaskClient],
    mollie_sandbox,  # noqa: ANN001
) -> None:
    clock.set(noon_on(date.today() + timedelta(days=40)))
    patron = member(client, "0045", plan="direct_debit")
    give_card(patron, CARD)
    assert (
        cancel(staff("balie"), patron, when="now", reason="verhuisd", refund="no").status_code
        == 303
    )
    clock.advance(timedelta(days=55))
    coordinator = staff("coordinator", "coordinator")
    assert refusals(app, CARD) == ["erasure_schedule_stopped"]
    shown = coordinator.get(f"/balie/klanten/{CARD}/wissen").get_data(as_text=True)
    assert "een afschrijving die al onderweg was, kan nog binnenkomen" in shown
    clock.advance(timedelta(days=2))
    assert refusals(app, CARD) == []


def test_an_erased_patron_is_gone_and_their_payments_are_kept_anonymised(
    client: FlaskClient,
    clock: ManualClock,
    staff: Callable[..., FlaskClient],
    mollie_sandbox,  # noqa: ANN001
) -> None:
    patron = ended_member(client, clock, staff)
    patron_id, login_id, customer = patron.id, patron.login_account_id, patron.customer_number
    surname, email, created_at = patron.surname, patron.login_account.email, patron.created_at
    money = db.session.scalar(select(func.sum(Payment.amount)).where(Payment.status == "paid"))
    entries = [entry.id for entry in db.session.scalars(select(AuditEntry))]
    coordinator = staff("coordinator", "coordinator")
    page = coordinator.get(f"/balie/klanten/{CARD}/wissen")
    token = csrf_token(page)
    unticked = coordinator.post(f"/balie/klanten/{CARD}/wissen", data={"csrf_token": token})
    assert unticked.status_code == 200 and find_patron_by_any_number(db.session, CARD)
    done = coordinator.post(
        f"/balie/klanten/{CARD}/wissen", data={"csrf_token": token, "asked": "y"}
    )
    assert done.status_code == 303
    db.session.expire_all()
    for number in (CARD, customer):
        assert find_patron_by_any_number(db.session, number) is None
    assert db.session.get(Patron, patron_id) is None
    assert db.session.get(LoginAccount, login_id) is None
    assert db.session.scalars(select(Card)).all() == []
    assert (
        db.session.scalars(select(OutboxMail).where(OutboxMail.patron_id == patron_id)).all() == []
    )
    kept = db.session.scalars(select(Payment)).all()
    assert kept and all(p.patron_id is None and p.anonymised_at for p in kept)
    assert all(p.customer_id is None and p.subscription_id is None for p in kept)
    paid = select(func.sum(Payment.amount)).where(Payment.status == "paid")
    assert db.session.scalar(paid) == money  # the books still add up
    cleared = db.session.scalars(select(AuditEntry).where(AuditEntry.id.in_(entries))).all()
    assert cleared and all(e.before is None and e.after is None for e in cleared)
    assert all(e.patron_id is None for e in cleared)  # detached: a later record may get the id
    assert {e.action for e in cleared} == {"subscription.cancelled"}  # who, what, when kept
    (erased,) = audited("patron.erased")
    assert erased.staff_username == "coordinator" and erased.patron_id is None
    (record,) = db.session.scalars(select(PatronErasure)).all()
    assert (record.patron_id, record.patron_created_at) == (patron_id, created_at)
    assert erased.after is not None
    assert (erased.after["record"], erased.after["erasure"]) == (patron_id, record.id)
    words = json.dumps(erased.after)
    assert surname not in words and str(email) not in words
    listed = coordinator.get("/balie/audit").get_data(as_text=True)
    assert "Klant gewist op eigen verzoek" in listed and "Abonnement opgezegd" in listed


@pytest.mark.parametrize("detach", ["", ", patron_id = NULL"])
def test_the_audit_log_loses_values_only_of_a_record_that_is_gone(
    client: FlaskClient,
    staff: Callable[..., FlaskClient],
    mollie_sandbox,  # noqa: ANN001
    detach: str,
) -> None:
    patron = member(client)
    screen(staff("balie"), patron.customer_number)
    # A record of an erasure proves nothing: only the record being gone does.
    db.session.add(PatronErasure(patron_id=patron.id, patron_created_at=now(), erased_at=now()))
    db.session.flush()
    clear = text(
        f"UPDATE audit_entry SET before = NULL, after = NULL{detach} WHERE patron_id = :id"
    )
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(clear, {"id": patron.id})
    db.session.rollback()


def test_a_later_record_with_the_same_id_is_not_the_erased_one(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    staff: Callable[..., FlaskClient],
    mollie_sandbox,  # noqa: ANN001
) -> None:
    first = ended_member(client, clock, staff).id
    staff("coordinator", "coordinator")
    assert run(app, "erase", CARD, "--staff", "coordinator", "--yes").exit_code == 0
    second = member(client, email="b@example.nl", username="bbb")
    if db.engine.dialect.name == "sqlite":
        assert second.id == first  # SQLite gives the highest id out again
    screen(staff("kijker"), second.customer_number)
    (viewed,) = audited("patron.viewed")
    assert viewed.patron_id == second.id  # the second's own entries, not the erased one's
    clock.advance(timedelta(days=400))  # the second's subscription ended too
    result = run(app, "erase", second.customer_number, "--staff", "coordinator", "--yes")
    assert result.exit_code == 0, result.output
    records = db.session.scalars(select(PatronErasure).order_by(PatronErasure.id)).all()
    assert [r.patron_id for r in records] == [first, second.id]
    assert records[0].patron_created_at < records[1].patron_created_at


def test_anonymised_payments_go_after_the_bookkeeping_period(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    staff: Callable[..., FlaskClient],
    mollie_sandbox,  # noqa: ANN001
) -> None:
    erased = ended_member(client, clock, staff).id
    other = member(client, email="ander@example.nl", username="ander")
    staff("coordinator", "coordinator")
    result = run(app, "erase", CARD, "--staff", "coordinator", "--yes")
    assert result.exit_code == 0, result.output
    assert "erased" in result.stdout
    anonymised = {
        p.id for p in db.session.scalars(select(Payment).where(Payment.patron_id.is_(None)))
    }
    assert anonymised
    year = now().year
    clock.set(noon_on(date(year + 7, 12, 31)))  # seven full years after that one: still kept
    assert run(app, "purge").stdout == "removed 0 anonymised payments\n"
    clock.set(noon_on(date(year + 8, 1, 1)))
    assert run(app, "purge").stdout == f"removed {len(anonymised)} anonymised payments\n"
    db.session.expire_all()
    left = db.session.scalars(select(Payment)).all()
    assert [p.patron_id for p in left] == [other.id] and erased != other.id
    assert db.session.scalar(select(func.sum(Payment.amount))) == Decimal(left[0].amount)


def test_the_names_only_the_erased_patron_had_leave_the_search(app: Flask) -> None:
    coordinator = create_account(db.session, now())
    erased = create_patron(db.session, None, now(), names=("X.A.", "", "Zwartkruis", "Xandra Anne"))
    anne = create_patron(db.session, None, now(), names=("A.", "", "Jansen", "Anne"))
    db.session.commit()
    erase(db.session, erased, coordinator, now())
    db.session.commit()
    terms = {(t.term, t.field) for t in db.session.scalars(select(NameTerm))}
    assert terms == {("jansen", NameField.SURNAME), ("anne", NameField.FIRST_NAME)}
    assert ids("zwartkruis") == ids("zwartkrui") == ids("xandra") == []
    assert ids("anne janssen") == ids("anne") == [anne.id]  # the shared first name, a typo


def erasing_meanwhile(
    portal_instance: Callable[..., Flask], patron_id: int, staff_id: int
) -> tuple[threading.Thread, list[str]]:
    """An erasure of the patron started on another portal instance: its outcome, "erased" or
    the codes it was refused with, once the thread ends."""
    outcome: list[str] = []

    other_portal = portal_instance()  # before the threads (tests/support/threads.py says why)

    def erase_there() -> None:
        with other_portal.app_context():
            patron = db.session.get_one(Patron, patron_id)
            try:
                erase(db.session(), patron, db.session.get_one(LoginAccount, staff_id), now())
                db.session.commit()
                outcome.append("erased")
            except ErasureRefused as refused:
                outcome.extend(reason.code for reason in refused.reasons)
            db.session.remove()

    [thread] = started_waiting(erase_there)
    return thread, outcome


def coordinator_login(staff: Callable[..., FlaskClient]) -> LoginAccount:
    """The login of a coordinator, logged in."""
    staff("coordinator", "coordinator")
    return db.session.scalars(
        select(LoginAccount).where(LoginAccount.username == "coordinator")
    ).one()


def mail_to(patron: Patron) -> EmailMessage:
    """A mail to the patron's address."""
    message = EmailMessage()
    message["To"], message["Subject"] = patron.login_account.email, "Kwitantie"
    return message


@pytest.mark.parametrize("charged", [False, True])
def test_what_is_done_for_the_patron_meanwhile_finishes_first_and_is_erased_or_refuses(
    portal_instance: Callable[..., Flask],
    client: FlaskClient,
    clock: ManualClock,
    staff: Callable[..., FlaskClient],
    mollie_sandbox,  # noqa: ANN001
    charged: bool,
) -> None:
    patron = ended_member(client, clock, staff)
    coordinator = coordinator_login(staff)
    # A kiosk payment, a card or a refusal holds the patron like this while it works.
    lock_row(db.session, Patron, patron.id)
    thread, outcome = erasing_meanwhile(portal_instance, patron.id, coordinator.id)
    mail = enqueue(
        db.session,
        mail_to(patron),
        kind="receipt",
        dedupe_key="r-1",
        locale="nl",
        now=now(),
        patron_id=patron.id,
    )
    if charged:
        ledger.charge(db.session, patron.id, Decimal("2.50"), "Te laat", "fee-1", now())
    mail_id = mail.id
    db.session.commit()
    thread.join()
    db.session.expire_all()
    if charged:
        assert outcome == ["erasure_balance"]
        assert db.session.get(OutboxMail, mail_id) is not None
    else:
        assert outcome == ["erased"]
        assert db.session.get(OutboxMail, mail_id) is None  # no mail left to send them


def test_two_erasures_of_the_patron_at_once_erase_once(
    portal_instance: Callable[..., Flask],
    client: FlaskClient,
    clock: ManualClock,
    staff: Callable[..., FlaskClient],
    mollie_sandbox,  # noqa: ANN001
) -> None:
    patron = ended_member(client, clock, staff)
    coordinator = coordinator_login(staff)
    lock_row(db.session, Patron, patron.id)
    started = [erasing_meanwhile(portal_instance, patron.id, coordinator.id) for _ in range(2)]
    db.session.rollback()
    for thread, _ in started:
        thread.join()
    assert sorted(outcome for _, (outcome,) in started) == ["erased", "erasure_done"]
    assert len(audited("patron.erased")) == 1


def test_a_waiver_is_kept_without_patron_or_reason_for_the_day_reports(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    staff: Callable[..., FlaskClient],
    new_browser: Callable[[], FlaskClient],
) -> None:
    patron = ended_member(client, clock, staff)
    charge(app, patron, "5.00", "Beschadigd boek", "damaged-1")
    balie = staff_at(app, new_browser(), add_desk(app), "balie2")
    reason = "Klant verhuist naar Assen"
    assert waive(balie, patron, charge="manual:damaged-1", reason=reason).status_code == 303
    day = now().astimezone(LOCAL_TZ).date().isoformat()
    assert day_report_json(app, day)["waived"] == "5.00"
    staff("coordinator", "coordinator")
    assert run(app, "erase", CARD, "--staff", "coordinator", "--yes").exit_code == 0
    db.session.expire_all()
    [waiver] = db.session.scalars(select(Waiver)).all()
    assert (waiver.patron_id, waiver.reason, waiver.amount) == (None, "-", Decimal("5.00"))
    assert day_report_json(app, day)["waived"] == "5.00"
    clock.set(noon_on(date(now().year + 8, 1, 1)))
    run(app, "purge")
    assert db.session.scalars(select(Waiver)).all() == []


def test_a_patron_whose_secondary_card_follows_a_newer_main_card_is_erased(app: Flask) -> None:
    coordinator = create_account(db.session, now())
    patron = create_patron(db.session, None, now())
    first = create_card(db.session, patron, now())
    secondary = create_card(db.session, patron, now(), role=CardRole.SECONDARY)
    secondary.main_card_id = first.id
    db.session.flush()
    first.status = CardStatus.REPLACED
    second = create_card(db.session, patron, now())
    second.replaces_id = first.id
    db.session.flush()
    attach_secondaries(db.session, patron)  # as the desk's replacement does
    db.session.commit()
    assert secondary.main_card_id == second.id > secondary.id  # a higher id referred to
    erase(db.session, patron, coordinator, now())
    db.session.commit()
    assert db.session.get(Patron, patron.id) is None
    assert db.session.scalars(select(Card)).all() == []
