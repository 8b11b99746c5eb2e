"""The kiosk API refuses what its schemas refuse, in JSON, and never answers a server error:
malformed, nested, oversized or mistyped bodies, unknown fields, unknown paths and methods."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from shared.models.kiosk import KioskDevice
from shared.models.patron import Patron
from tests.support.accounts import member
from tests.support.kiosk_api import API, PASSPORT, KioskApi


@pytest.fixture
def patron(client: FlaskClient) -> Patron:
    """A paid patron with a confirmed login."""
    return member(client)


def refused(response, field: str) -> None:  # noqa: ANN001
    """A 400 bad_request naming the field."""
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"] == "bad_request" and field in response.json["field"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"method": "password", "login": "", "password": "x"}, "login"),
        ({"method": "password", "login": "x", "password": ""}, "password"),
        ({"method": "password", "login": "x" * 255, "password": "x"}, "login"),
        ({"method": "card", "card_number": "2527000000017", "chip_uid": "ZZ"}, "chip_uid"),
        ({"method": "card", "card_number": "2527000000017", "chip_uid": "04A1B2"}, "chip_uid"),
        ({"method": "card", "card_number": "2527000000017", "pin": "1234"}, "pin"),
        ({"method": ["card"]}, "method"),
        ({"method": "qr", "code": 12}, "code"),
        ({"method": "password", "login": "marieke\x00", "password": "x"}, "login"),
        ({"method": "password", "login": "eikeiram\u202e", "password": "x"}, "login"),
        ({"method": "qr", "code": "K7QM\x1b2XPAR"}, "code"),
    ],
)
def test_identify_refuses_what_its_schema_refuses(kiosk: KioskApi, body: dict, field: str) -> None:
    refused(kiosk.call("POST", "/identify", body=body), field)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"document_type": ""}, "document_type"),
        ({"surname": ""}, "surname"),
        ({"surname": "VAN\u2066DIJK"}, "surname"),
        ({"document_type": "P\n"}, "document_type"),
        ({"birth_date": "19850415"}, "birth_date"),
        ({"expiry_date": None}, "expiry_date"),
        ({"sod_hash_ok": 1}, "sod_hash_ok"),
        ({"photo": "…"}, "photo"),
    ],
)
def test_id_checks_refuse_what_their_schema_refuses(
    kiosk: KioskApi, patron: Patron, change: dict, field: str
) -> None:
    reading = {**PASSPORT, "surname": "VAN DIJK", "birth_date": "1985-04-15", **change}
    refused(kiosk.call("POST", "/id-checks", kiosk.ticket(patron), reading), field)


def test_a_heartbeat_says_at_most_40_characters_of_plain_software(kiosk: KioskApi) -> None:
    devices = {"printer": "ok"}
    for software in ("1" * 41, "0.1\x00", "0.1\u202e", "0.1\x1b[2J"):
        refused(
            kiosk.call("POST", "/heartbeat", body={"devices": devices, "software": software}),
            "software",
        )
    assert db.session.get_one(KioskDevice, 1).health is None
    ok = kiosk.call("POST", "/heartbeat", body={"devices": devices, "software": "1" * 40})
    assert ok.status_code == 200


def raw(kiosk: KioskApi, data: bytes, content_type: str = "application/json"):  # noqa: ANN201
    """POST /heartbeat with this body as it is."""
    headers = {"Authorization": f"Bearer {kiosk.token}", "Content-Type": content_type}
    return kiosk.client.post(f"{API}/heartbeat", data=data, headers=headers)


@pytest.mark.parametrize(
    "data",
    [b"[" * 20_000 + b"]" * 20_000, b'{"devices": {', b"\xff\xfe", b"null", b'"ok"'],
)
def test_malformed_json_is_a_bad_request(kiosk: KioskApi, data: bytes) -> None:
    response = raw(kiosk, data)
    assert response.status_code == 400 and response.json["error"] == "bad_request"


def test_another_content_type_is_a_bad_request(kiosk: KioskApi) -> None:
    response = raw(kiosk, b"devices=ok", "application/x-www-form-urlencoded")
    assert response.status_code == 400 and response.json["field"] == "json"


def test_a_huge_body_is_too_large(kiosk: KioskApi) -> None:
    response = raw(kiosk, b'{"software": "' + b"1" * 200_000 + b'"}')
    assert response.status_code == 413 and response.json == {"error": "request_entity_too_large"}


def test_unknown_paths_and_methods_answer_json(kiosk: KioskApi, client: FlaskClient) -> None:
    missing = kiosk.call("GET", "/nothing-here")
    assert missing.status_code == 404 and missing.json == {"error": "not_found"}
    wrong = client.delete(f"{API}/heartbeat")
    assert wrong.status_code == 405 and wrong.json == {"error": "method_not_allowed"}
    assert "POST" in wrong.headers["Allow"]


def test_a_bug_under_the_api_answers_json(app: Flask) -> None:
    def broken() -> str:
        raise RuntimeError("a bug")

    app.add_url_rule("/api/broken", view_func=broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production
    response = app.test_client().get("/api/broken")
    assert response.status_code == 500 and response.json == {"error": "internal_server_error"}
