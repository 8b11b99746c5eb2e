"""The kiosk's heartbeat: device health at the portal, and out of service while it is away."""

import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from kiosk.branch import Branch
from kiosk.devices import Devices
from kiosk.hardware.base import PrinterStatus
from kiosk.hardware.config import document_reader
from kiosk.hardware.scanner import LineScanner
from kiosk.hardware.simulated import SimulatedCardReader
from kiosk.heartbeat import RETRY_GAP_SECONDS
from kiosk.receipts import make_receipt, print_receipt
from portal.extensions import db
from shared.clock import SYSTEM_CLOCK, ManualClock
from shared.models.kiosk import KioskDevice
from tests.support.kiosk import TERMINAL, kiosk_config, running_kiosk, simulated_devices, until
from tests.support.kiosk_api import register_kiosk
from tests.support.kiosk_flows import owing_card_holder, tap
from tests.support.servers import free_port, running_server


def staff_listing(portal: Flask) -> str:
    """What `flask kiosk list` shows staff."""
    result = portal.test_cli_runner().invoke(args=["kiosk", "list"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_heartbeat_is_stored_at_the_portal(
    app: Flask, kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    heartbeat = kiosk_app.extensions["kiosk"].heartbeat
    assert heartbeat.branch is None  # not beaten yet: receipts say KIOSK_BRANCH_NAME
    assert heartbeat.beat() and heartbeat.status == "ok"
    address = ("Dijkhuizen 66", "7961 AM Ruinerwold")
    assert heartbeat.branch == Branch("Bibliotheek Ruinerwold", address)  # the portal's
    assert "\tok\tcard_reader=ok, document_reader=ok, printer=ok, scanner=ok" in staff_listing(app)
    kiosk_devices.printer.state = PrinterStatus.PAPER_OUT
    heartbeat.report_now()
    assert heartbeat.status == "degraded"
    assert "DEGRADED" in staff_listing(app) and "printer=paper_out" in staff_listing(app)


def test_the_heartbeat_thread_beats_on_its_own(app: Flask, portal_server: str) -> None:
    config = kiosk_config(portal_server, register_kiosk(app), KIOSK_HEARTBEAT_SECONDS=60)
    with running_kiosk(config, simulated_devices()):
        assert until(_health_reported, timeout=2)
        assert "never" not in staff_listing(app)


def _health_reported() -> bool:
    """Whether the kiosk's health reached the portal (seen is not enough: it is stored first)."""
    db.session.expire_all()
    return db.session.scalars(select(KioskDevice)).one().health_reported_at is not None


def test_portal_away_means_out_of_service_until_it_is_back(app: Flask, client: FlaskClient) -> None:
    owing_card_holder(app, client)
    port, devices = free_port(), simulated_devices()
    config = kiosk_config(
        f"http://127.0.0.1:{port}", register_kiosk(app, "Kiosk hal", "--terminal", TERMINAL)
    )
    clock = ManualClock()
    with running_kiosk(config, devices, clock) as kiosk_app:
        kiosk = kiosk_app.test_client()
        with running_server(app, port=port):
            assert tap(kiosk, devices) == "/pas"
        gone = kiosk.post("/betalen")
        assert gone.location == "/buiten-gebruik" and "Clear-Site-Data" in gone.headers
        assert kiosk.get("/").location == "/buiten-gebruik"
        assert kiosk.get("/events").json["go"] == "/buiten-gebruik"  # other pages go there
        page = kiosk.get("/buiten-gebruik").get_data(as_text=True)
        assert 'role="alert"' in page and 'data-poll-url="/status"' in page
        assert 'data-events-url=""' in page  # but this page does not follow events to itself
        assert kiosk.get("/status").json["go"] is None
        with running_server(app, port=port):
            # The out-of-service page tries the portal at most once a second.
            assert kiosk.get("/status").json["go"] is None
            clock.advance(RETRY_GAP_SECONDS)
            assert kiosk.get("/status").json["go"] == "/"
            assert kiosk.get("/").status_code == 200


def test_a_heartbeat_to_a_dead_portal_says_offline(app: Flask) -> None:
    config = kiosk_config(f"http://127.0.0.1:{free_port()}", register_kiosk(app))
    with running_kiosk(config, simulated_devices()) as kiosk_app:
        heartbeat = kiosk_app.extensions["kiosk"].heartbeat
        assert not heartbeat.beat() and not heartbeat.online


def test_out_of_service_stays_put_and_recovers_without_a_heartbeat_thread(
    app: Flask, client: FlaskClient
) -> None:
    owing_card_holder(app, client)
    port, devices = free_port(), simulated_devices()
    config = kiosk_config(
        f"http://127.0.0.1:{port}", register_kiosk(app, "Kiosk hal", "--terminal", TERMINAL)
    )
    assert config["KIOSK_HEARTBEAT_SECONDS"] == 0
    clock = ManualClock()
    with running_kiosk(config, devices, clock) as kiosk_app:
        kiosk = kiosk_app.test_client()
        assert tap(kiosk, devices) == "/buiten-gebruik"
        for _ in range(3):
            clock.advance(RETRY_GAP_SECONDS)
            page = kiosk.get("/buiten-gebruik")
            assert page.status_code == 200 and 'data-events-url=""' in page.get_data(as_text=True)
            assert kiosk.get("/status").json["go"] is None
        with running_server(app, port=port):
            clock.advance(RETRY_GAP_SECONDS)
            assert kiosk.get("/status").json["go"] == "/"
            assert kiosk.get("/").status_code == 200


def test_the_out_of_service_screen_can_be_read_in_english(app: Flask, client: FlaskClient) -> None:
    owing_card_holder(app, client)
    devices = simulated_devices()
    config = kiosk_config(
        f"http://127.0.0.1:{free_port()}", register_kiosk(app, "Kiosk hal", "--terminal", TERMINAL)
    )
    with running_kiosk(config, devices) as kiosk_app:
        kiosk = kiosk_app.test_client()
        assert tap(kiosk, devices) == "/buiten-gebruik"
        switched = kiosk.post("/taal", data={"lang": "en", "next": "/buiten-gebruik"})
        assert switched.location == "/buiten-gebruik"
        page = kiosk.get("/buiten-gebruik").get_data(as_text=True)
        assert '<html lang="en">' in page and "out of service" in page


def test_a_failed_print_is_reported_until_a_print_works(kiosk_app: Flask) -> None:
    devices = simulated_devices()
    receipt = make_receipt(
        kiosk_app.config, None, SYSTEM_CLOCK.now(), "Slip", [("Pasnummer", None)]
    )
    devices.printer.state = PrinterStatus.PAPER_OUT
    assert not print_receipt(devices, receipt)
    devices.printer.state = PrinterStatus.OK  # paper put in, but nothing printed yet
    assert devices.health()["printer"] == "paper_out"
    assert print_receipt(devices, receipt) and devices.health()["printer"] == "ok"


def test_health_says_only_what_it_can_know() -> None:
    devices = simulated_devices()
    devices.document_reader = document_reader({"KIOSK_DOCUMENT_READER": "pcsc"})
    devices.document_reader_name = "ACS ACR1252 Dual Reader PICC 00 00"
    devices.scanner = LineScanner(io.StringIO(""))
    health = devices.health()
    assert (health["document_reader"], health["scanner"]) == ("unavailable", "unknown")
    devices.card_reader = SimulatedCardReader(("ACS ACR1252 Dual Reader PICC 00 00",))
    assert devices.health()["document_reader"] == "ok"
