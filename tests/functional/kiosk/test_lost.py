"""A lost card at the kiosk: log in with number and password, block it, collect a new one."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk.context import COOKIE
from kiosk.demo import blank_tag, tag_number
from kiosk.devices import Devices
from kiosk.flows.id_check import MAX_ATTEMPTS
from kiosk.hardware.simulated import SimulatedDocument
from shared.models.patron import Patron
from tests.support.accounts import give_card, member
from tests.support.kiosk_collect import (
    go_from,
    log_in_at_kiosk,
    patron_document,
    place_blank,
    portal_state,
    qr_code,
    said,
    typed_document,
)
from tests.support.kiosk_flows import tap

OLD_CARD = "52700000012345"


@pytest.fixture
def card_holder(client: FlaskClient, mollie_sandbox) -> Patron:  # noqa: ANN001
    """A patron whose main card is active."""
    patron = member(client)
    give_card(patron, OLD_CARD)
    return patron


@pytest.fixture
def patron(client: FlaskClient, mollie_sandbox) -> Patron:  # noqa: ANN001
    """A patron who signed up online and still has to collect a card."""
    return member(client)


@pytest.fixture
def kiosk(kiosk_app: Flask) -> Iterator[FlaskClient]:
    """The kiosk's browser, with short waits for a document and a blank card."""
    kiosk_app.config.update(KIOSK_DOCUMENT_TIMEOUT=0.5, KIOSK_BLANK_CARD_TIMEOUT=1.0)
    yield kiosk_app.test_client()


def test_block_the_lost_card_then_collect_a_new_one(
    kiosk: FlaskClient, kiosk_devices: Devices, card_holder: Patron
) -> None:
    response = log_in_at_kiosk(kiosk, OLD_CARD, purpose="lost")
    assert response.headers["Location"] == "/kwijt"
    confirm = kiosk.get("/kwijt").get_data(as_text=True)
    assert "2345" in confirm and OLD_CARD not in confirm
    assert kiosk.post("/kwijt").headers["Location"] == "/kwijt/geblokkeerd"
    blocked, cards, _checks = portal_state(card_holder.id)
    assert blocked and [(c.number, c.status) for c in cards] == [(OLD_CARD, "lost")]
    assert said(kiosk.application, "Collect a new card") in kiosk.get("/kwijt/geblokkeerd").text

    document = patron_document()
    kiosk_devices.document_reader.place(document)  # type: ignore[attr-defined]
    assert kiosk.get("/ophalen").status_code == 200
    assert kiosk.post("/ophalen", data=typed_document(document)).status_code == 303
    assert go_from(kiosk, "/ophalen/lezen/status") == "/ophalen/nieuwe-pas"
    tag = blank_tag()
    place_blank(kiosk_devices, tag)
    kiosk.get("/ophalen/nieuwe-pas")
    assert go_from(kiosk, "/ophalen/nieuwe-pas/status") == "/ophalen/klaar"
    blocked, cards, _checks = portal_state(card_holder.id)
    statuses = {(c.number, c.status) for c in cards}
    assert not blocked and statuses == {(OLD_CARD, "lost"), (tag_number(tag), "active")}


def test_each_card_collected_in_a_session_can_be_blocked_in_it(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    document = patron_document()
    kiosk_devices.document_reader.place(document)  # type: ignore[attr-defined]
    assert log_in_at_kiosk(kiosk, patron.customer_number).headers["Location"] == "/ophalen"
    numbers = [collect_and_block(kiosk, kiosk_devices, document) for _card in range(2)]
    _blocked, cards, _checks = portal_state(patron.id)
    assert {(c.number, c.status) for c in cards} == {(number, "lost") for number in numbers}


def test_a_second_card_in_a_session_has_all_its_tries_at_the_document(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    document = patron_document()
    kiosk_devices.document_reader.place(document)  # type: ignore[attr-defined]
    assert log_in_at_kiosk(kiosk, patron.customer_number).headers["Location"] == "/ophalen"
    collect_and_block(kiosk, kiosk_devices, document)  # the first card took one try
    wrong = {**typed_document(document), "document_number": "XX0000000"}
    for _try in range(MAX_ATTEMPTS - 1):
        assert kiosk.post("/ophalen", data=wrong).status_code == 303
        assert go_from(kiosk, "/ophalen/lezen/status") == "/ophalen?problem=access_denied"


def collect_and_block(kiosk: FlaskClient, devices: Devices, document: SimulatedDocument) -> str:
    """At the ID page with the document on the reader: collect a card, then block it as lost;
    its number."""
    assert kiosk.post("/ophalen", data=typed_document(document)).status_code == 303
    assert go_from(kiosk, "/ophalen/lezen/status") == "/ophalen/nieuwe-pas"
    tag = blank_tag()
    place_blank(devices, tag)
    assert kiosk.get("/ophalen/nieuwe-pas").status_code == 303  # the encoding starts
    assert go_from(kiosk, "/ophalen/nieuwe-pas/status") == "/ophalen/klaar"
    assert kiosk.post("/ophalen/klaar").headers["Location"] == "/pas"
    assert kiosk.post("/kwijt").headers["Location"] == "/kwijt/geblokkeerd"
    place_blank(devices, None)
    return tag_number(tag)


def test_after_blocking_there_is_nothing_left_to_block(
    kiosk: FlaskClient, card_holder: Patron
) -> None:
    log_in_at_kiosk(kiosk, OLD_CARD, purpose="lost")
    kiosk.post("/kwijt")
    kiosk.post("/stoppen")
    again = log_in_at_kiosk(kiosk, card_holder.customer_number, purpose="lost")
    assert again.headers["Location"] == "/pas"  # nothing left to block: the patron's screen


def test_only_a_password_login_may_block(
    kiosk: FlaskClient, kiosk_devices: Devices, card_holder: Patron
) -> None:
    kiosk.get("/ophalen/inloggen")
    kiosk_devices.scanner.type_line(qr_code(card_holder))  # type: ignore[attr-defined]
    assert go_from(kiosk, "/ophalen/inloggen/scan").startswith("/ophalen/inloggen?error=code_used")
    kiosk.post("/stoppen")
    assert tap(kiosk, kiosk_devices, OLD_CARD) == "/pas"
    assert kiosk.get("/kwijt").headers["Location"] == "/pas"
    assert kiosk.post("/kwijt").headers["Location"] == "/pas"
    blocked, cards, _checks = portal_state(card_holder.id)
    assert [c.status for c in cards] == ["active"]


def test_without_a_session_lost_asks_to_log_in(kiosk: FlaskClient) -> None:
    assert kiosk.get("/kwijt").headers["Location"] == "/ophalen/inloggen?purpose=lost"


def test_a_double_tap_on_block_blocks_once(
    kiosk_app: Flask, kiosk: FlaskClient, card_holder: Patron
) -> None:
    log_in_at_kiosk(kiosk, OLD_CARD, purpose="lost")
    cookie = kiosk.get_cookie(COOKIE)
    assert cookie is not None
    again = kiosk_app.test_client()  # the same browser's second request
    again.set_cookie(COOKIE, cookie.value)
    both_at_once = threading.Barrier(2)

    def block(browser: FlaskClient) -> tuple[int, str]:
        both_at_once.wait()
        response = browser.post("/kwijt")
        return response.status_code, response.headers.get("Location", "")

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(block, [kiosk, again]))
    assert answers == [(303, "/kwijt/geblokkeerd")] * 2
    _blocked, cards, _checks = portal_state(card_holder.id)
    assert [(c.number, c.status) for c in cards] == [(OLD_CARD, "lost")]
