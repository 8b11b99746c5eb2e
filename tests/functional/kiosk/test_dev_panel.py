"""The control panel of the embedded default drives the simulated devices; never in production.
Only the browser on the kiosk's own machine may use the kiosk."""

import stat
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk.config import ConfigError, load_config
from kiosk.devices import Devices
from kiosk.hardware.base import PrinterStatus
from kiosk.hardware.config import document_reader
from kiosk.receipts import make_receipt, print_receipt
from shared.clock import SYSTEM_CLOCK
from tests.support.kiosk import (
    form_token,
    kiosk_config,
    running_kiosk,
    simulated_devices,
)
from tests.support.kiosk_api import register_kiosk
from tests.support.kiosk_flows import CARD, next_event, owing_card_holder, tapped_kiosk


def test_tapping_and_removing_cards_from_the_panel(
    app: Flask, client: FlaskClient, kiosk_app: Flask
) -> None:
    owing_card_holder(app, client)
    panel, kiosk = kiosk_app.test_client(), kiosk_app.test_client()
    assert panel.post("/dev/kaart", data={"card_number": CARD}).location == "/dev"
    assert next_event(kiosk) == "/pas"
    page = panel.get("/dev").get_data(as_text=True)
    assert CARD in page and 'name="uid"' in page
    panel.post("/dev/kaart-weg")
    assert next_event(kiosk, session=True) == "/"
    panel.post("/dev/kaart", data={"card_number": ""})
    assert "card_not_encoded" in (next_event(kiosk) or "")


def test_document_printer_and_scanner_from_the_panel(
    kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    panel = kiosk_app.test_client()
    holder = {"surname": "van Dijk", "given_names": "Maria", "birth_date": "1985-04-15"}
    panel.post("/dev/document", data={**holder, "type": "I"})
    document = kiosk_devices.document_reader.document
    assert document is not None and document.document_number in panel.get("/dev").get_data(
        as_text=True
    )
    number = document.document_number
    expiry = f"{date.today().year + 5 - 2000}0131"
    read = kiosk_devices.document_reader("reader", (number, "850415", expiry), 1.0)
    assert (read["surname"], read["document_type"]) == ("VAN DIJK", "I")
    panel.post("/dev/printer", data={"state": "paper_out"})
    assert kiosk_devices.printer.status() == PrinterStatus.PAPER_OUT
    panel.post("/dev/printer", data={"state": "ok"})
    slip = make_receipt(kiosk_app.config, None, SYSTEM_CLOCK.now(), "Slip", [("Pasnummer", None)])
    print_receipt(kiosk_devices, slip)
    assert "Pasnummer" in panel.get("/dev").get_data(as_text=True)
    panel.post("/dev/scanner", data={"line": "QR-CODE-123"})
    assert kiosk_devices.scanner.read(1.0) == "QR-CODE-123"


def test_no_panel_when_switched_off(app: Flask, portal_server: str) -> None:
    config = kiosk_config(portal_server, register_kiosk(app), KIOSK_DEV_PANEL=False)
    with running_kiosk(config, simulated_devices()) as kiosk_app:
        assert kiosk_app.test_client().get("/dev").status_code == 404


def test_production_never_has_the_panel(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for device in ("KIOSK_READER", "KIOSK_PRINTER", "KIOSK_SCANNER", "KIOSK_DOCUMENT_READER"):
        monkeypatch.setenv(device, "pcsc")
    settings = {"OPENBALIE_ENV": "production", "KIOSK_DEVICE_TOKEN": "t", "KIOSK_DEV_PANEL": True}
    config = load_config({**settings, "KIOSK_SECRET_KEY_FILE": str(tmp_path / "kiosk-secret")})
    assert config["KIOSK_DEV_PANEL"] is False


@pytest.mark.parametrize(("switch", "panel"), [(None, 404), (True, 200)])
def test_a_real_device_means_no_panel_unless_switched_on(
    app: Flask, portal_server: str, switch: bool | None, panel: int
) -> None:
    devices = simulated_devices()
    devices.document_reader = document_reader({"KIOSK_DOCUMENT_READER": "pcsc"})
    config = kiosk_config(portal_server, register_kiosk(app), KIOSK_DEV_PANEL=switch)
    with running_kiosk(config, devices) as kiosk_app:
        assert kiosk_app.test_client().get("/dev").status_code == panel


@pytest.mark.parametrize(("allow", "answer"), [(False, 403), (True, 200)])
def test_other_machines_are_refused_unless_allowed(
    app: Flask, portal_server: str, allow: bool, answer: int
) -> None:
    config = kiosk_config(portal_server, register_kiosk(app), KIOSK_ALLOW_REMOTE=allow)
    with running_kiosk(config, simulated_devices()) as kiosk_app:
        browser = kiosk_app.test_client()
        assert browser.get("/").status_code == 200  # the test client is 127.0.0.1
        remote = {"REMOTE_ADDR": "192.0.2.7"}
        assert browser.get("/", environ_base=remote).status_code == answer
        assert browser.post("/stoppen", environ_base=remote).status_code == (303 if allow else 403)


def test_the_secret_key_is_kept_across_restarts(tmp_path: Path) -> None:
    settings = {"KIOSK_DEVICE_TOKEN": "t", "KIOSK_SECRET_KEY_FILE": str(tmp_path / "kiosk-secret")}
    first, second = load_config(settings), load_config(settings)
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) > 30
    assert stat.S_IMODE((tmp_path / "kiosk-secret").stat().st_mode) == 0o600


def test_a_stale_panel_form_leaves_the_patron_alone(
    app: Flask, client: FlaskClient, portal_server: str
) -> None:
    with tapped_kiosk(app, client, portal_server, csrf=True) as (kiosk_app, kiosk, devices):
        patron = kiosk_app.extensions["kiosk"].sessions.current()
        stale = kiosk.post("/dev/printer", data={"state": "ok", "csrf_token": "before-a-reset"})
        assert stale.location == "/dev"
        assert kiosk_app.extensions["kiosk"].sessions.current() is patron


@pytest.mark.parametrize(
    "header",
    [
        {"X-Forwarded-For": "192.0.2.7"},
        {"Forwarded": "for=192.0.2.7"},
        {"X-Real-IP": "192.0.2.7"},
    ],
)
@pytest.mark.parametrize(("allow", "answer"), [(False, 403), (True, 200)])
def test_a_request_through_a_proxy_is_refused_unless_allowed(
    app: Flask, portal_server: str, header: dict[str, str], allow: bool, answer: int
) -> None:
    config = kiosk_config(portal_server, register_kiosk(app), KIOSK_ALLOW_REMOTE=allow)
    with running_kiosk(config, simulated_devices()) as kiosk_app:
        assert kiosk_app.test_client().get("/", headers=header).status_code == answer


def test_ipv4_mapped_loopback_is_this_machine(app: Flask, portal_server: str) -> None:
    with running_kiosk(
        kiosk_config(portal_server, register_kiosk(app)), simulated_devices()
    ) as kiosk:
        browser = kiosk.test_client()
        assert browser.get("/", environ_base={"REMOTE_ADDR": "::ffff:127.0.0.1"}).status_code == 200
        stranger = browser.get("/", environ_base={"REMOTE_ADDR": "::ffff:192.0.2.7"})
        assert stranger.status_code == 403 and stranger.mimetype == "text/html"


@pytest.mark.parametrize("content", ["", "short\n"])
def test_an_empty_or_damaged_secret_key_file_is_made_anew(tmp_path: Path, content: str) -> None:
    path = tmp_path / "kiosk-secret"
    path.write_text(content)
    key = load_config({"KIOSK_DEVICE_TOKEN": "t", "KIOSK_SECRET_KEY_FILE": str(path)})["SECRET_KEY"]
    assert len(key) >= 32 and path.read_text() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [file.name for file in tmp_path.iterdir()] == ["kiosk-secret"]


def test_an_empty_secret_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="KIOSK_SECRET_KEY"):
        load_config({"KIOSK_DEVICE_TOKEN": "t", "KIOSK_SECRET_KEY": ""})


def test_two_kiosk_processes_sharing_the_key_file_accept_each_others_forms(
    app: Flask, portal_server: str, tmp_path: Path
) -> None:
    token, key_file = register_kiosk(app), str(tmp_path / "kiosk-secret")
    (tmp_path / "kiosk-secret").write_text("")
    config = kiosk_config(portal_server, token, csrf=True, KIOSK_SECRET_KEY_FILE=key_file)
    del config["KIOSK_SECRET_KEY"]
    with (
        running_kiosk(config, simulated_devices()) as first,
        running_kiosk(config, simulated_devices()) as second,
    ):
        browser = first.test_client()
        token_of_first = form_token(browser.get("/").get_data(as_text=True))
        # The same browser (its form cookie) after a restart: the new process signs alike.
        browser_of_second = second.test_client()
        browser_of_second.set_cookie("kiosk_form", browser.get_cookie("kiosk_form").value)
        answer = browser_of_second.post("/taal", data={"lang": "en", "csrf_token": token_of_first})
        assert answer.status_code == 303 and answer.location == "/"
