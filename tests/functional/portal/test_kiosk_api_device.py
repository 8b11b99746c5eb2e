"""The kiosk API as a whole: device tokens on every path, the OpenAPI document, heartbeats and
the staff commands, and the payment receipt by mail."""

import json
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.wiring import now
from shared.models.kiosk import KioskDevice
from shared.models.patron import Patron
from shared.models.payment import Payment
from tests.support.accounts import member
from tests.support.kiosk_api import API, KioskApi, queued_mail, register_kiosk

TERMINAL = "term_sandboxKiosk1"
ALL_OK = {"card_reader": "ok", "document_reader": "ok", "printer": "ok", "scanner": "unknown"}


@pytest.fixture
def kiosk(app: Flask, client: FlaskClient) -> KioskApi:
    """A registered kiosk in Ruinerwold with a PIN terminal."""
    return KioskApi(client, register_kiosk(app, "Kiosk hal", "--terminal", TERMINAL))


def kiosk_rules(app: Flask) -> dict[str, set[str]]:
    """Every URL rule of the kiosk API in OpenAPI's path notation, with its methods."""
    return {
        rule.rule.replace("<", "{").replace(">", "}"): {
            method.lower() for method in rule.methods - {"HEAD", "OPTIONS"}
        }
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API + "/")
    }


def test_the_openapi_document_describes_every_path(app: Flask, kiosk: KioskApi) -> None:
    document = kiosk.call("GET", "/openapi.json").json
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    described = {path: set(item) - {"parameters"} for path, item in paths.items()}
    assert described == kiosk_rules(app)
    for path, item in paths.items():
        for method in described[path]:
            parameters = [*item.get("parameters", []), *item[method].get("parameters", [])]
            declared = {p["name"] for p in parameters if p["in"] == "path"}
            assert set(re.findall(r"{(\w+)}", path)) == declared, path


def test_every_path_answers_401_without_a_token(app: Flask, client: FlaskClient) -> None:
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API + "/"):
            continue
        url = rule.rule.replace("<number>", "2527000000017").replace("<reference>", "ref")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            for headers in ({}, {"Authorization": "Bearer wrong"}):
                response = client.open(url, method=method, headers=headers, json={})
                assert response.status_code == 401, (method, url)
                assert response.headers["WWW-Authenticate"] == 'Bearer realm="kiosk"'


def test_heartbeats_show_in_the_staff_listing(app: Flask, kiosk: KioskApi) -> None:
    body = {"devices": ALL_OK, "software": "0.1.0"}
    assert kiosk.call("POST", "/heartbeat", body=body).json["status"] == "ok"
    runner = app.test_cli_runner()
    assert "\tok\t" in runner.invoke(args=["kiosk", "list"]).output
    body["devices"] = {**ALL_OK, "printer": "paper_out"}
    answer = kiosk.call("POST", "/heartbeat", body=body).json
    assert answer["status"] == "degraded" and answer["server_time"].endswith("+00:00")
    table = runner.invoke(args=["kiosk", "list"]).output
    assert "Kiosk hal\t5270\t" in table and "DEGRADED" in table and "printer=paper_out" in table
    listed = json.loads(runner.invoke(args=["kiosk", "list", "--json"]).output)
    assert listed[0]["degraded"] is True and listed[0]["software"] == "0.1.0"
    assert listed[0]["devices"]["printer"] == "paper_out" and listed[0]["health_reported_at"]


def test_the_heartbeat_answers_the_kiosk_s_branch_and_address(kiosk: KioskApi) -> None:
    answer = kiosk.call("POST", "/heartbeat", body={"devices": ALL_OK}).json
    assert answer["branch"] == {
        "name": "Bibliotheek Ruinerwold",
        "street": "Dijkhuizen 66",
        "postcode": "7961 AM",
        "city": "Ruinerwold",
    }


def test_a_kiosk_that_stopped_sending_heartbeats_is_offline(app: Flask, kiosk: KioskApi) -> None:
    kiosk.call("POST", "/heartbeat", body={"devices": ALL_OK, "software": "0.1.0"})
    register_kiosk(app, "Kiosk boven")
    device = db.session.get_one(KioskDevice, 1)
    device.health_reported_at = now() - timedelta(seconds=181)
    db.session.commit()
    runner = app.test_cli_runner()
    assert statuses(runner.invoke(args=["kiosk", "list"]).output) == ["never", "OFFLINE"]
    listed = json.loads(runner.invoke(args=["kiosk", "list", "--json"]).output)
    assert [kiosk["status"] for kiosk in listed] == ["never", "offline"]
    patient = runner.invoke(args=["kiosk", "list", "--stale-after", "300"]).output
    assert statuses(patient) == ["never", "ok"]


def test_without_heartbeats_the_last_call_counts(app: Flask, kiosk: KioskApi) -> None:
    kiosk.call("GET", "/openapi.json")
    runner = app.test_cli_runner()
    assert statuses(runner.invoke(args=["kiosk", "list"]).output) == ["ok"]
    db.session.get_one(KioskDevice, 1).last_seen_at = now() - timedelta(minutes=10)
    db.session.commit()
    assert statuses(runner.invoke(args=["kiosk", "list"]).output) == ["OFFLINE"]


def statuses(table: str) -> list[str]:
    """The status column of the staff listing, kiosk by kiosk."""
    return [line.split("\t")[4] for line in table.splitlines()[:-1]]


@pytest.mark.parametrize(
    "devices", [{"printer": "on_fire"}, {"toaster": "ok"}, {"printer": ["ok"]}, "ok"]
)
def test_heartbeat_refuses_unknown_devices_and_states(kiosk: KioskApi, devices: object) -> None:
    response = kiosk.call("POST", "/heartbeat", body={"devices": devices})
    assert response.status_code == 400
    assert db.session.get_one(KioskDevice, 1).health is None


def test_staff_see_recent_id_checks(app: Flask, client: FlaskClient, kiosk: KioskApi) -> None:
    patron = member(client)
    ticket = kiosk.ticket(patron)
    kiosk.verify_id(patron, ticket)
    kiosk.call("POST", "/id-checks", ticket, {"outcome": "unreadable", "reason": "timeout"})
    output = app.test_cli_runner().invoke(args=["kiosk", "id-checks", "--since", "1"]).output
    lines = output.splitlines()
    assert lines[0].split("\t")[1:] == [
        "Kiosk hal",
        patron.temporary_number,
        "unreadable",
        "-",
        "timeout",
    ]
    assert lines[1].split("\t")[1:] == ["Kiosk hal", patron.temporary_number, "verified", "P", "-"]
    assert lines[2] == "2 ID checks"


@pytest.fixture
def paid(app: Flask, client: FlaskClient, kiosk: KioskApi, mollie_sandbox) -> Payment:
    """A € 12.50 fee paid at the kiosk's terminal."""
    patron = member(client)
    app.test_cli_runner().invoke(
        args=["ledger", "charge", patron.customer_number, "12.50", "Te laat", "--key", "fee-1"]
    )
    headers = {"Authorization": f"Bearer {kiosk.token}", "Idempotency-Key": "kiosk-req-0001"}
    body = {"patron": patron.customer_number}
    reference = client.post(f"{API}/payments", headers=headers, json=body).json["reference"]
    payment = db.session.scalars(select(Payment).where(Payment.reference == reference)).one()
    refused = kiosk.call("POST", f"/payments/{reference}/receipt-mail")
    assert refused.status_code == 409 and refused.json["error"] == "not_paid"
    mollie_sandbox.set_status(payment.provider_id, "paid", webhook=False)
    assert kiosk.call("GET", f"/payments/{reference}").json["status"] == "paid"
    return payment


def test_the_receipt_is_mailed_once(kiosk: KioskApi, paid: Payment) -> None:
    for _ in range(2):
        response = kiosk.call("POST", f"/payments/{paid.reference}/receipt-mail")
        assert response.status_code == 202 and response.json == {"queued": True}
    row, message = queued_mail("payment_receipt")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert row.to_address == "marieke@example.nl" and message["Content-Language"] == "nl"
    assert paid.reference in text and "12,50" in text and "Bibliotheek Ruinerwold" in text


def test_no_receipt_without_an_e_mail_address(
    app: Flask, client: FlaskClient, kiosk: KioskApi, paid: Payment
) -> None:
    patron = db.session.get_one(Patron, paid.patron_id)
    patron.library_email, patron.login_account.email = "", None
    db.session.commit()
    response = kiosk.call("POST", f"/payments/{paid.reference}/receipt-mail")
    assert response.status_code == 422 and response.json["error"] == "no_email"
    other = KioskApi(client, register_kiosk(app, "Kiosk boven"))
    assert other.call("POST", f"/payments/{paid.reference}/receipt-mail").status_code == 404


def add_device(app: Flask, terminal: str) -> tuple[int, str]:
    """`kiosk add-device` with a PIN terminal; exit code and output."""
    args = ["kiosk", "add-device", "Kiosk hal", "--branch", "5270", "--terminal", terminal]
    result = app.test_cli_runner().invoke(args=args)
    return result.exit_code, result.output


def test_a_terminal_is_checked_with_mollie_when_a_kiosk_is_added(app: Flask) -> None:
    code, output = add_device(app, TERMINAL)
    assert code == 0 and json.loads(output)["terminal_status"] == "active"
    assert "warning" not in json.loads(output)
    code, output = add_device(app, "term_sandboxInactive")
    assert code == 0 and json.loads(output)["terminal_status"] == "inactive"
    assert "refused until it is active" in json.loads(output)["warning"]


def test_a_terminal_mollie_does_not_know_registers_nothing(app: Flask) -> None:
    code, output = add_device(app, "term_doesNotExist")
    assert code == 1 and "Mollie does not know terminal term_doesNotExist" in output
    assert db.session.scalars(select(KioskDevice)).first() is None
