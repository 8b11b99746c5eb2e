"""Paying what is owed at the kiosk: the terminal's outcomes, the receipt, and a failing printer."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from kiosk.app import FETCH_CRASHES
from kiosk.devices import Devices
from kiosk.flows.pay import attempt
from kiosk.hardware.base import PrinterStatus
from portal.extensions import db
from shared.clock import ManualClock
from shared.models.kiosk import KioskDevice
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from shared.models.payment import Payment
from shared.payments import ledger
from tests.support.kiosk import TERMINAL, kiosk_config, running_kiosk, simulated_devices, until
from tests.support.kiosk_api import register_kiosk
from tests.support.kiosk_flows import in_english, owing_card_holder, place, tap, tapped_kiosk
from tests.support.kiosk_states import PortalGateway
from tests.support.printer import EURO, EURO_CODE_PAGE, NBSP, barcode_command, escpos_bytes
from tests.support.servers import free_port, running_server


@pytest.fixture
def kiosk_clock() -> ManualClock:
    """Time at this module's kiosk passes only when a test moves it."""
    return ManualClock()


@pytest.fixture
def patron(app: Flask, client: FlaskClient) -> Patron:
    """A card holder who owes € 12,50."""
    return owing_card_holder(app, client)


@pytest.fixture
def kiosk(kiosk_app: Flask, kiosk_devices: Devices, patron: Patron) -> FlaskClient:
    """The kiosk with the patron's card tapped, in English."""
    kiosk = kiosk_app.test_client()
    assert tap(kiosk, kiosk_devices) == "/pas"
    in_english(kiosk)
    return kiosk


def terminal(sandbox, status: str) -> Payment:  # noqa: ANN001
    """Do at the sandbox's PIN terminal what a bank card would do to the newest payment."""
    payment = db.session.scalars(select(Payment).order_by(Payment.id.desc())).first()
    sandbox.set_status(payment.provider_id, status, webhook=False)
    return payment


def pay_until(kiosk: FlaskClient, sandbox, status: str) -> str:  # noqa: ANN001
    """Start paying, let the terminal end in `status`; the outcome page."""
    started = kiosk.post("/betalen")
    assert started.status_code == 303 and started.location == "/betalen/terminal"
    terminal(sandbox, status)
    assert kiosk.get("/betalen/status").json["go"] == "/betalen/klaar"
    return kiosk.get("/betalen/klaar").get_data(as_text=True)


def newest_payment() -> Payment:
    """The payment the portal started last, as it stands now."""
    db.session.expire_all()
    return db.session.scalars(select(Payment).order_by(Payment.id.desc())).first()


def double_tap(kiosk: FlaskClient) -> list[str | None]:
    """Press Pay twice at the same moment, as two parallel requests of the same browser."""
    barrier, where = threading.Barrier(2), []
    session_id = kiosk.get_cookie("kiosk_session").value

    def press() -> None:
        browser = kiosk.application.test_client()
        browser.set_cookie("kiosk_session", session_id)
        barrier.wait()
        where.append(browser.post("/betalen").location)

    presses = [threading.Thread(target=press) for _ in range(2)]
    for thread in presses:
        thread.start()
    for thread in presses:
        thread.join(timeout=15)
    return where


def test_paid_prints_the_receipt_and_settles_the_ledger(
    kiosk: FlaskClient,
    kiosk_devices: Devices,
    kiosk_clock: ManualClock,
    patron: Patron,
    mollie_sandbox,
) -> None:
    assert "€\xa012,50" in kiosk.get("/betalen").get_data(as_text=True)
    assert double_tap(kiosk) == ["/betalen/terminal"] * 2
    assert len(db.session.scalars(select(Payment)).all()) == 2  # the signup's and this one
    waiting = kiosk.get("/betalen/terminal").get_data(as_text=True)
    assert 'role="status"' in waiting and "PIN terminal" in waiting
    payment = terminal(mollie_sandbox, "pending")
    assert "read your bank card" in kiosk.get("/betalen/status").json["status"]
    terminal(mollie_sandbox, "paid")
    assert kiosk.get("/betalen/status").json["go"] == "/betalen/klaar"
    assert "Take your receipt" in kiosk.get("/betalen/klaar").get_data(as_text=True)
    [receipt] = kiosk_devices.printer.printed
    assert (receipt.library, receipt.branch, receipt.total, receipt.printed_at) == (
        "Bibliotheek Drenthe",
        "Bibliotheek Ruinerwold",  # the portal's: asked as no heartbeat (interval 0) brought it
        Decimal("12.50"),
        kiosk_clock.now(),
    )
    assert receipt.address == ("Dijkhuizen 66", "7961 AM Ruinerwold")
    assert receipt.barcode == payment.reference
    texts = [text for text, _ in receipt.lines]
    assert f"Payment reference: {payment.reference}" in texts
    assert "Library card: *********0017" in texts
    db.session.expire_all()
    assert ledger.balance(db.session, patron.id) == 0
    back = kiosk.post("/betalen/terug")
    assert back.location == "/pas" and "€\xa00,00" in kiosk.get("/pas").get_data(as_text=True)


def test_declined_then_try_again(kiosk: FlaskClient, mollie_sandbox) -> None:
    assert "refused" in pay_until(kiosk, mollie_sandbox, "failed")
    again = pay_until(kiosk, mollie_sandbox, "paid")
    assert "Paid. Thank you!" in again
    references = db.session.scalars(select(Payment.reference)).all()
    assert len(set(references)) == 3


@pytest.mark.parametrize(
    ("status", "message"), [("expired", "waited too long"), ("canceled", "was stopped")]
)
def test_timed_out_or_canceled_at_the_terminal(
    kiosk: FlaskClient, mollie_sandbox, status: str, message: str
) -> None:
    page = pay_until(kiosk, mollie_sandbox, status)
    assert message in page and "Try again" in page
    assert kiosk.post("/betalen/terug").location == "/pas"


def test_cancel_on_the_kiosk(kiosk: FlaskClient, patron: Patron) -> None:
    kiosk.post("/betalen")
    assert kiosk.post("/betalen/stoppen").location == "/betalen/terminal"
    assert "was stopped" in kiosk.get("/betalen/klaar").get_data(as_text=True)
    db.session.expire_all()
    assert ledger.balance(db.session, patron.id) == Decimal("12.50")


def test_too_late_to_cancel_keeps_following(kiosk: FlaskClient, mollie_sandbox) -> None:
    kiosk.post("/betalen")
    terminal(mollie_sandbox, "pending")
    kiosk.post("/betalen/stoppen")
    page = kiosk.get("/betalen/terminal").get_data(as_text=True)
    assert "already accepted your card" in page and "data-poll-url" in page


def test_printer_out_of_paper_shows_and_mails_the_receipt(
    kiosk: FlaskClient, kiosk_devices: Devices, mollie_sandbox
) -> None:
    kiosk_devices.printer.state = PrinterStatus.PAPER_OUT
    page = pay_until(kiosk, mollie_sandbox, "paid")
    place(kiosk_devices, None)  # the card taken away: the paid page and its receipt stay
    assert kiosk.get("/events?session=1").json["go"] is None
    payment = db.session.scalars(select(Payment).order_by(Payment.id.desc())).first()
    assert "on the screen" in page and "by email" in page and payment.reference in page
    assert "Payment receipt" in page and "€\xa012,50" in page  # as it would have been printed
    assert kiosk_devices.printer.printed == []
    db.session.expire_all()
    [mailed] = db.session.scalars(
        select(OutboxMail).where(OutboxMail.kind == "payment_receipt")
    ).all()
    assert mailed.locale == "en"  # the language of the patron at the kiosk, not their own
    device = db.session.scalars(select(KioskDevice)).one()
    assert device.health["devices"]["printer"] == "paper_out"


def test_the_terminal_page_offers_stop_paying_not_log_out(kiosk: FlaskClient) -> None:
    kiosk.post("/betalen")
    page = kiosk.get("/betalen/terminal").get_data(as_text=True)
    assert "Stop paying" in page and "Stop and log out" not in page


def test_stopping_the_session_cancels_the_waiting_payment(kiosk: FlaskClient) -> None:
    kiosk.post("/betalen")
    assert newest_payment().status == "open"
    assert kiosk.post("/stoppen").location == "/"
    assert newest_payment().status == "canceled"


def test_an_idle_session_cancels_its_waiting_payment(
    app: Flask, patron: Patron, portal_server: str
) -> None:
    devices = simulated_devices()
    token = register_kiosk(app, "Kiosk hal", "--terminal", TERMINAL)
    timing = {"KIOSK_IDLE_SECONDS": 1, "KIOSK_COUNTDOWN_SECONDS": 0, "KIOSK_KEEPALIVE_SECONDS": 0}
    clock = ManualClock()
    with running_kiosk(kiosk_config(portal_server, token, **timing), devices, clock) as kiosk_app:
        kiosk = kiosk_app.test_client()
        assert tap(kiosk, devices) == "/pas"
        kiosk.post("/betalen")
        clock.advance(1.2)  # the browser stopped polling (closed, crashed): nothing keeps it alive
        assert kiosk.get("/betalen/terminal").location == "/"
        assert newest_payment().status == "canceled"


def test_the_kiosk_stops_a_payment_the_terminal_waits_on_too_long(
    kiosk: FlaskClient, kiosk_app: Flask, kiosk_clock: ManualClock
) -> None:
    kiosk_app.config["KIOSK_TERMINAL_SECONDS"] = 30  # within the idle time: no poll needed
    kiosk.post("/betalen")
    kiosk_clock.advance(29)
    assert kiosk.get("/betalen/status").json["go"] is None
    kiosk_clock.advance(1)
    assert kiosk.get("/betalen/status").json["go"] == "/betalen/klaar"
    assert "waited too long" in kiosk.get("/betalen/klaar").get_data(as_text=True)
    assert newest_payment().status == "canceled"


def test_a_hanging_portal_does_not_hold_up_the_end_of_a_session(app: Flask, patron: Patron) -> None:
    port, devices = free_port(), simulated_devices()
    config = kiosk_config(
        f"http://127.0.0.1:{port}", register_kiosk(app, "Kiosk hal", "--terminal", TERMINAL)
    )
    with running_kiosk(config, devices) as kiosk_app:
        kiosk = kiosk_app.test_client()
        with running_server(app, port=port):
            assert tap(kiosk, devices) == "/pas"
            assert kiosk.post("/betalen").location == "/betalen/terminal"
        # Connections are accepted by the kernel, but nothing ever answers them.
        with socket.create_server(("127.0.0.1", port)):
            started = time.monotonic()
            assert kiosk.post("/stoppen").location == "/"
            assert time.monotonic() - started < 2
            assert kiosk_app.extensions["kiosk"].sessions.current() is None


def test_stop_while_the_payment_starts_cancels_it(
    kiosk: FlaskClient, kiosk_app: Flask, mollie_sandbox
) -> None:
    mollie_sandbox.inject_fault("delay", delay_seconds=1.5)
    session = kiosk_app.extensions["kiosk"].sessions.current()
    paying = threading.Thread(target=kiosk.post, args=("/betalen",))
    paying.start()
    assert until(lambda: attempt(session) is not None)  # the portal is asked to start it now
    assert kiosk.post("/stoppen").location == "/"
    paying.join(timeout=10)
    assert kiosk_app.extensions["kiosk"].sessions.current() is None
    assert newest_payment().status == "canceled"


def test_a_payment_service_hiccup_is_explained_and_the_kiosk_stays(
    kiosk: FlaskClient, kiosk_app: Flask, mollie_sandbox
) -> None:
    mollie_sandbox.inject_fault("error_500", count=5)
    refused = kiosk.post("/betalen")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Try again in a moment" in page and "Try again<" in page
    assert kiosk_app.extensions["kiosk"].heartbeat.online
    assert kiosk.get("/pas").status_code == 200
    mollie_sandbox.clear_faults()
    assert kiosk.post("/betalen").location == "/betalen/terminal"


def test_english_chosen_before_the_tap_holds_and_the_receipt_has_a_line_per_charge(
    app: Flask,
    kiosk_app: Flask,
    kiosk_devices: Devices,
    patron: Patron,
    mollie_sandbox,
) -> None:
    charge = ["ledger", "charge", patron.customer_number, "2.00", "Reservering", "--key", "r-1"]
    assert app.test_cli_runner().invoke(args=charge).exit_code == 0
    kiosk = kiosk_app.test_client()
    in_english(kiosk)  # on the start screen, before the card: the patron's own language is Dutch
    assert tap(kiosk, kiosk_devices) == "/pas"
    overview = kiosk.get("/pas").get_data(as_text=True)
    valid_through = patron.subscriptions[0].end_date
    assert "Pay what I owe" in overview and '<html lang="en">' in overview
    assert f"{valid_through.day} {valid_through:%B %Y}" in overview  # as in Britain
    assert "€\xa014,50" in kiosk.get("/betalen").get_data(as_text=True)
    page = pay_until(kiosk, mollie_sandbox, "paid")
    assert "Take your receipt" in page
    [receipt] = kiosk_devices.printer.printed
    assert (receipt.title, receipt.locale) == ("Payment receipt", "en_NL")  # € 12,50 in English
    assert receipt.lines[:2] == [("Te laat", Decimal("12.50")), ("Reservering", Decimal("2.00"))]
    what = f"Te laat, Reservering (klantnummer {patron.customer_number})"
    assert newest_payment().description == f"Bibliotheek Ruinerwold: {what}"


@pytest.mark.parametrize(
    ("language", "title", "total"),
    [("nl", b"Betaalbewijs", b"Totaal"), ("en", b"Payment receipt", b"Total")],
)
def test_the_printed_receipt_names_the_portal_s_branch_in_the_patron_s_language(
    app: Flask,
    client: FlaskClient,
    portal_server: str,
    mollie_sandbox,
    language: str,
    title: bytes,
    total: bytes,
) -> None:
    beating = {"KIOSK_HEARTBEAT_SECONDS": 60}
    with tapped_kiosk(app, client, portal_server, **beating) as (kiosk_app, kiosk, devices):
        heartbeat = kiosk_app.extensions["kiosk"].heartbeat
        assert until(lambda: heartbeat.branch is not None)  # the kiosk beats when it starts
        assert kiosk.post("/taal", data={"lang": language, "next": "/pas"}).status_code == 303
        pay_until(kiosk, mollie_sandbox, "paid")
        [receipt] = devices.printer.printed
        printed = escpos_bytes(receipt)
    assert b"\x1bE\x00Bibliotheek Ruinerwold\nDijkhuizen 66\n7961 AM Ruinerwold\n" in printed
    assert b"\x1bE\x01" + title + b"\n" in printed  # the title, bold
    assert b"Te laat" + b" " * 28 + EURO_CODE_PAGE + EURO + NBSP + b"12,50\n" in printed
    assert b"\x1bE\x01" + total + b" " * (35 - len(total)) + EURO + NBSP + b"12,50\n" in printed
    reference = newest_payment().reference.encode()
    assert barcode_command(b"{B" + reference, width=2) in printed  # the desk scans it


def garbled_status(path: str) -> bool:
    """The payment's status comes in an answer the kiosk cannot use (its cancel still works)."""
    return "/payments/" in path and not path.endswith("/cancel")


@contextmanager
def paying_behind(gateway: PortalGateway, client: FlaskClient) -> Iterator[FlaskClient]:
    """The owing patron tapped at a kiosk that reaches the portal through `gateway`, and is
    paying at the terminal; the kiosk's browser."""
    with (
        running_server(gateway) as portal_url,
        tapped_kiosk(gateway.portal, client, portal_url) as (_app, kiosk, _devices),
    ):
        assert kiosk.post("/betalen").location == "/betalen/terminal"
        yield kiosk


def failed_poll(kiosk: FlaskClient) -> int:
    """The status of one progress poll, sent as the page's script sends it."""
    return kiosk.get("/betalen/status", headers={"Sec-Fetch-Dest": "empty"}).status_code


def test_a_poll_that_fails_leaves_the_patron_on_the_page_and_a_page_that_fails_starts_over(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:  # noqa: ANN001
    gateway = PortalGateway(app)
    with paying_behind(gateway, client) as kiosk:
        gateway.garbled = garbled_status
        assert [failed_poll(kiosk) for _ in range(FETCH_CRASHES - 1)] == [500] * (FETCH_CRASHES - 1)
        gateway.garbled = None
        assert kiosk.get("/betalen/terminal").status_code == 200  # still paying
        gateway.garbled = garbled_status
        assert kiosk.get("/betalen/status").status_code == 500  # opened as a page
        gateway.garbled = None
        assert kiosk.get("/betalen/terminal").location == "/"


def test_a_poll_that_keeps_failing_starts_over(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:  # noqa: ANN001
    gateway = PortalGateway(app)
    with paying_behind(gateway, client) as kiosk:
        gateway.garbled = garbled_status
        assert [failed_poll(kiosk) for _ in range(FETCH_CRASHES)] == [500] * FETCH_CRASHES
        gateway.garbled = None
        assert kiosk.get("/betalen/terminal").location == "/"  # not frozen until the idle time
