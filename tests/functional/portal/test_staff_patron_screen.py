"""The desk's patron screen: every section for a patron who has them, found by any of their
numbers, why lending is blocked in words, lists bounded, each look in the audit log; staff only."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from portal.extensions import db
from portal.wiring import now
from shared.desk.audit import entries
from shared.models.account import AccountStatus, LoginAccount
from shared.models.card import CardRole, CardStatus
from shared.models.id_check import IdCheck, IdCheckOutcome
from shared.models.mandate import Mandate
from shared.models.patron import Patron, SubscriptionStatus
from shared.models.payment import Payment
from shared.payments import ledger
from shared.timeutil import local_today
from tests.support.accounts import log_in, member
from tests.support.factories import (
    create_account,
    create_card,
    create_kiosk,
    create_patron,
    create_subscription,
)
from tests.support.staff import desk_session, lending, screen, section


@pytest.fixture
def desk(app: Flask, new_browser: Callable[[], FlaskClient]) -> FlaskClient:
    """A browser in which a desk member (username "balie") logged in; Dutch, the default."""
    return desk_session(app, new_browser())


def id_checks(patron: Patron, count: int = 1) -> str:
    """Verified passport checks of the patron at a new kiosk; the kiosk's name."""
    kiosk = create_kiosk(db.session, now())
    for _ in range(count):
        check = IdCheck(
            patron_id=patron.id,
            kiosk_device_id=kiosk.id,
            checked_at=now(),
            outcome=IdCheckOutcome.VERIFIED,
            document_type="P",
        )
        db.session.add(check)
    db.session.commit()
    return kiosk.name


def test_every_section_shows_what_the_patron_has(
    desk: FlaskClient, client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    patron = member(client, "0049")
    mandate = db.session.scalars(select(Mandate)).one()
    lost = create_card(db.session, patron, now() - timedelta(days=30), status=CardStatus.LOST)
    card = create_card(db.session, patron, now())
    create_card(db.session, patron, now(), role=CardRole.SECONDARY)
    kiosk = id_checks(patron)
    paid = db.session.scalars(select(Payment).where(Payment.patron_id == patron.id)).one()
    mollie_sandbox.charge_back(paid.provider_id, reason={"code": "MD06", "description": "Terug"})

    html = screen(desk, lost.number)
    assert f"<h1>{patron.display_name}</h1>" in html
    assert f"<dd>{card.number}</dd>" in html, "the active main card is the patron's number"
    assert lending(html) == "Lenen is geblokkeerd De klant moet nog € 5,00 betalen."
    subscriptions = section(html, "subscriptions")
    assert "Basis (maand-incasso)" in subscriptions and "Automatische incasso" in subscriptions
    assert "Gefactureerd" in subscriptions, "the bank took the period's money back"
    cards = section(html, "cards")
    assert f"{lost.number} Hoofdpas Kwijt" in cards and f"{card.number} Hoofdpas Actief" in cards
    assert "Volgpas Actief" in cards
    login = section(html, "login")
    assert patron.login_account.username in login and "marieke@example.nl" in login
    assert "Ja, op" in login and "Nooit" in login and "Actief" in login
    money = section(html, "ledger")
    assert "Saldo: € 5,00" in money and "Kosten Storno: " in money and "Betaling " in money
    payments = section(html, "payments")
    assert f"Betaald {paid.reference}" in payments and "€ 5,00 MD06 Terug" in payments
    assert mandate.masked_iban in section(html, "mandates") and mandate.iban not in html
    assert f"{kiosk} Geverifieerd Paspoort" in section(html, "id-checks")
    mails = section(html, "mails")
    for subject in ("Je bank heeft een betaling", "Welkom bij", "Bevestig je inlogaccount"):
        assert subject in mails
    assert "Wacht op verzending" in mails


def test_the_patron_opens_by_every_number_and_an_unknown_one_is_explained(
    desk: FlaskClient,
) -> None:
    patron = create_patron(db.session, None, now(), subscription="0045")
    replaced = create_card(db.session, patron, now(), status=CardStatus.REPLACED)
    patron.system_number = "S0001234"
    db.session.commit()
    for number in (patron.temporary_number, "S0001234", replaced.number):
        assert f"<h1>{patron.display_name}</h1>" in screen(desk, number)
    response = desk.get("/balie/klanten/9999999999")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Geen klant heeft het nummer 9999999999" in page
    assert 'action="/balie/klanten"' in page and 'value="9999999999"' in page


def blocked_patron() -> Patron:
    """A patron whose card was lost, whose subscription ended, whose login is blocked and who
    owes money."""
    account = create_account(db.session, now(), confirmed=True)
    account.status = AccountStatus.BLOCKED
    patron = create_patron(db.session, account, now())
    year_ago = local_today(now()) - timedelta(days=400)
    create_subscription(db.session, patron, "0045", year_ago)
    create_card(db.session, patron, now(), status=CardStatus.LOST)
    ledger.charge(db.session, patron.id, Decimal("12.50"), "Te laat", "late:1", now())
    db.session.commit()
    return patron


def test_each_reason_lending_is_blocked_is_said_in_words(desk: FlaskClient) -> None:
    notice = lending(screen(desk, blocked_patron().temporary_number))
    assert notice == (
        "Lenen is geblokkeerd De pas is als kwijt gemeld: er is een nieuwe pas nodig."
        " Het abonnement is verlopen. Het inlogaccount is geblokkeerd."
        " De klant moet nog € 12,50 betalen."
    )
    newcomer = create_patron(db.session, None, now())
    blocked = create_patron(db.session, None, now(), subscription="0045")
    create_card(db.session, blocked, now(), status=CardStatus.BLOCKED)
    create_subscription(
        db.session, blocked, "0053", local_today(now())
    ).status = SubscriptionStatus.BLACKLISTED
    digital = create_patron(db.session, None, now(), subscription="0141")
    db.session.commit()
    assert lending(screen(desk, newcomer.temporary_number)) == (
        "Lenen is geblokkeerd Nog geen pas: lenen kan zodra de klant een pas heeft opgehaald."
        " Geen abonnement."
    )
    assert lending(screen(desk, blocked.temporary_number)) == (
        "Lenen is geblokkeerd De pas is geblokkeerd. De klant staat op de zwarte lijst."
    )
    assert lending(screen(desk, digital.temporary_number)) == (
        "Lenen is geblokkeerd Digital only: e-books en luisterboeken, geen pas en geen"
        " materialen lenen."
    )


def test_a_patron_with_a_card_and_a_running_subscription_may_borrow(desk: FlaskClient) -> None:
    patron = create_patron(db.session, None, now(), subscription="0045")
    card = create_card(db.session, patron, now())
    patron.lending_blocked = False  # as issuing the first card does
    db.session.commit()
    assert lending(screen(desk, card.number)) == "Lenen is mogelijk"
    patron.lending_blocked = True  # set on the record, for none of the reasons the screen knows
    db.session.commit()
    assert lending(screen(desk, card.number)) == (
        "Lenen is geblokkeerd Op het klantrecord staat een uitleenblokkade."
    )


@contextmanager
def statements(browser: FlaskClient) -> Iterator[list[str]]:
    """The SQL statements the browser's portal runs inside the block."""
    run: list[str] = []

    def count(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        run.append(sql)

    with browser.application.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield run
    finally:
        event.remove(engine, "before_cursor_execute", count)


def long_history(patron: Patron, rows: int) -> None:
    """Charges, cards, ID checks and audit entries: `rows` of each."""
    for n in range(rows):
        ledger.charge(db.session, patron.id, Decimal("1.00"), f"Boete {n}", f"fine:{n}", now())
        create_card(db.session, patron, now(), status=CardStatus.REPLACED)
    id_checks(patron, rows)


def test_a_long_history_shows_the_newest_rows_in_as_many_queries(desk: FlaskClient) -> None:
    short = create_patron(db.session, None, now(), subscription="0045")
    long = create_patron(db.session, None, now(), subscription="0045")
    long_history(short, 1)
    long_history(long, 60)
    few_number, many_number = short.temporary_number, long.temporary_number
    screen(desk, few_number)  # warm up: the catalogue's own reads
    with statements(desk) as few:
        screen(desk, few_number)
    with statements(desk) as many:
        html = screen(desk, many_number)
    assert len(many) == len(few) < 30
    money = section(html, "ledger")
    assert "Boete 59" in money and "Boete 9 " not in money and "Boete 10" in money
    assert "De nieuwste 50 worden getoond." in money
    assert section(html, "id-checks").count("Geverifieerd") == 50


def test_each_look_is_in_the_audit_log_with_the_staff_member(desk: FlaskClient) -> None:
    patron = create_patron(db.session, None, now(), subscription="0045")
    db.session.commit()
    assert "Geen handelingen van medewerkers." in screen(desk, patron.temporary_number)
    looked = entries(db.session, patron_id=patron.id)
    assert [(e.action, e.staff_username) for e in looked] == [("patron.viewed", "balie")]
    staff = db.session.scalars(select(LoginAccount).where(LoginAccount.username == "balie")).one()
    assert looked[0].staff_account_id == staff.id and looked[0].at == now()
    actions = section(screen(desk, patron.temporary_number), "staff-actions")
    assert "balie Klantscherm bekeken" in actions


def test_patrons_never_see_the_patron_screen(
    app: Flask, client: FlaskClient, new_browser: Callable[[], FlaskClient]
) -> None:
    patron = member(client)
    assert log_in(client, "marieke85").status_code == 303
    assert client.get(f"/balie/klanten/{patron.temporary_number}").status_code == 403
    anonymous = new_browser().get(f"/balie/klanten/{patron.temporary_number}")
    assert anonymous.status_code == 302 and "/inloggen" in anonymous.location
    assert entries(db.session, patron_id=patron.id) == []
