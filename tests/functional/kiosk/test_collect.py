"""Collecting a card at the kiosk: simulated devices, the real portal and payment sandbox."""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from kiosk.context import COOKIE
from kiosk.demo import blank_tag, card_tag, tag_number
from kiosk.devices import Devices
from kiosk.flows.date_parts import DATE_PARTS
from kiosk.hardware.base import PrinterStatus
from portal.extensions import db
from portal.wiring import now
from shared.accounts.login import log_in
from shared.clock import ManualClock
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from shared.refusals import REFUSALS
from shared.timeutil import local_today
from tests.support.accounts import member
from tests.support.kiosk import (
    advance_until,
    kiosk_config,
    page_number,
    running_kiosk,
    until,
)
from tests.support.kiosk_api import register_kiosk, welcome_mail_code
from tests.support.kiosk_collect import (
    PASSWORD,
    ActivationOutage,
    FlakyTag,
    go_from,
    inputs,
    log_in_at_kiosk,
    patron_document,
    place_blank,
    poll,
    poll_status,
    portal_state,
    qr_code,
    said,
    td3_mrz,
    typed_document,
)
from tests.support.kiosk_flows import in_english
from tests.support.printer import barcode_command, escpos_bytes
from tests.support.servers import running_server
from tests.support.staff import desk_session, refuse
from tests.support.threads import started_waiting

CARD_STATUS = "/ophalen/nieuwe-pas/status"
WAITING = "Take a blank card from the tray and hold it on the reader."
SET_ASIDE = "This card does not work. Hand it to the desk and take another blank card."
NOT_PRINTED = "We could not print a slip. Here is what it says."
MAILED = "We have also e-mailed you your new card number."
DATE_MISSING = "Type the day, the month and the year."
WRITE_IT_DOWN = (
    "Write your new card number down or take a photo of this screen: we cannot e-mail it to you."
)


@pytest.fixture
def kiosk_clock() -> ManualClock:
    """Time at this module's kiosk passes only when a test moves it: no wait for a blank card
    runs out while a busy machine is slow."""
    return ManualClock()


@pytest.fixture
def patron(client: FlaskClient, mollie_sandbox) -> Patron:  # noqa: ANN001
    """A patron who signed up online (and confirmed the e-mail) and still has to collect a card."""
    return member(client)


@pytest.fixture
def coordinator(app: Flask, new_browser: Callable[[], FlaskClient]) -> FlaskClient:
    """A coordinator logged in at the desk of the portal."""
    return desk_session(app, new_browser(), "hoofd", "coordinator")


@pytest.fixture
def kiosk(kiosk_app: Flask) -> Iterator[FlaskClient]:
    """The kiosk's browser, with short waits for a document and a blank card."""
    kiosk_app.config.update(KIOSK_DOCUMENT_TIMEOUT=0.5, KIOSK_BLANK_CARD_TIMEOUT=1.0)
    yield kiosk_app.test_client()


def scan_qr(kiosk: FlaskClient, devices: Devices, code: str) -> str:
    """Open the identify page and scan the code; where the page goes."""
    assert kiosk.get("/ophalen/inloggen").status_code == 200
    devices.scanner.type_line(code)  # type: ignore[attr-defined]
    return go_from(kiosk, "/ophalen/inloggen/scan")


def type_document(kiosk: FlaskClient, document: dict[str, str]) -> str:
    """Type the document's details; where the chip read sends the patron."""
    response = kiosk.post("/ophalen", data=document)
    assert response.status_code == 303, response.get_data(as_text=True)
    return go_from(kiosk, "/ophalen/lezen/status")


def encode(kiosk: FlaskClient) -> str:
    """Open the blank card page; where encoding sends the patron."""
    assert kiosk.get("/ophalen/nieuwe-pas").status_code in (200, 303)
    return go_from(kiosk, "/ophalen/nieuwe-pas/status")


def verified_by_typing(kiosk: FlaskClient, devices: Devices, patron: Patron) -> None:
    """QR code, then the typed document: the patron is at the blank card step."""
    assert scan_qr(kiosk, devices, qr_code(patron)) == "/ophalen"
    document = patron_document()
    devices.document_reader.place(document)  # type: ignore[attr-defined]
    assert type_document(kiosk, typed_document(document)) == "/ophalen/nieuwe-pas"


def test_qr_code_typed_document_blank_card_and_slip(
    kiosk: FlaskClient, kiosk_devices: Devices, kiosk_clock: ManualClock, patron: Patron
) -> None:
    temporary = patron.customer_number
    verified_by_typing(kiosk, kiosk_devices, patron)
    tag = blank_tag()
    place_blank(kiosk_devices, tag)
    assert encode(kiosk) == "/ophalen/klaar"
    number = tag_number(tag)
    done = kiosk.get("/ophalen/klaar").get_data(as_text=True)
    assert number in done and said(kiosk.application, "Take your slip from the printer.") in done
    slip = kiosk_devices.printer.printed[-1]  # type: ignore[attr-defined]
    assert (slip.barcode, slip.printed_at) == (number, kiosk_clock.now())
    pairs = bytes(int(number[i : i + 2]) for i in range(0, 12, 2))  # 13 digits: 6 pairs, 1 left
    assert barcode_command(b"{C" + pairs + b"{B" + number[-1:].encode(), width=3) in escpos_bytes(
        slip
    )
    assert any(temporary in text for text, _amount in slip.lines)
    blocked, cards, checks = portal_state(patron.id)
    assert not blocked and [(c.number, c.status) for c in cards] == [(number, "active")]
    assert [(c.outcome, c.document_type, c.reason) for c in checks] == [("verified", "P", None)]
    assert log_in(db.session, number, "vlinder-boekenkast-regen-42", now()).account


def test_a_scan_an_earlier_page_took_moves_the_identify_page_on(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    # The poll of a page left a moment ago identified the patron; the identify page shown now
    # (loaded before that answer) must follow, not wait for a scan that already came.
    assert scan_qr(kiosk, kiosk_devices, qr_code(patron)) == "/ophalen"
    assert kiosk.get("/ophalen/inloggen/scan").json["go"] == "/ophalen"


def test_a_scan_right_after_a_page_change_goes_to_the_page_shown(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    left = page_number(kiosk.get("/ophalen/inloggen").get_data(as_text=True))
    shown = page_number(kiosk.get("/ophalen/inloggen?purpose=collect").get_data(as_text=True))
    kiosk_devices.scanner.type_line(qr_code(patron))  # type: ignore[attr-defined]
    assert kiosk.get(f"/ophalen/inloggen/scan?page={left}").json["go"] is None
    assert kiosk.get(f"/ophalen/inloggen/scan?page={shown}").json["go"] == "/ophalen"


def test_the_login_page_s_poll_sends_nowhere_once_the_login_left_it(
    kiosk: FlaskClient, patron: Patron
) -> None:
    login_page = page_number(kiosk.get("/ophalen/inloggen").get_data(as_text=True))
    form = {"login": patron.customer_number, "password": PASSWORD}
    assert kiosk.post("/ophalen/inloggen", data=form).location == "/ophalen"
    # The browser is on its way to the ID page: the old page must not send it anywhere else.
    assert kiosk.get(f"/ophalen/inloggen/scan?page={login_page}").json["go"] is None
    assert kiosk.get("/ophalen").status_code == 200


def test_password_and_scanned_mrz(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    response = log_in_at_kiosk(kiosk, patron.customer_number)
    assert response.status_code == 303 and response.headers["Location"] == "/ophalen"
    document = patron_document()
    kiosk_devices.document_reader.place(document)  # type: ignore[attr-defined]
    assert kiosk.get("/ophalen").status_code == 200
    for line in td3_mrz(document):
        kiosk_devices.scanner.type_line(line)  # type: ignore[attr-defined]
    assert go_from(kiosk, "/ophalen/mrz") == "/ophalen/lezen"
    assert go_from(kiosk, "/ophalen/lezen/status") == "/ophalen/nieuwe-pas"


def test_empty_identify_form_shows_field_errors(kiosk: FlaskClient) -> None:
    response = log_in_at_kiosk(kiosk, "", "")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'aria-describedby="login-hint login-error"' in page
    assert 'aria-describedby="password-error"' in page
    assert said(kiosk.application, "Type your number.") in page


def test_wrong_password_is_refused(kiosk: FlaskClient, patron: Patron) -> None:
    response = log_in_at_kiosk(kiosk, patron.customer_number, "wrong-password-123")
    page = response.get_data(as_text=True)
    wrong = REFUSALS["bad_credentials"].message
    assert response.status_code == 422 and said(kiosk.application, wrong) in page


def test_the_typed_code_from_the_welcome_mail_leads_to_the_document(
    kiosk: FlaskClient, patron: Patron
) -> None:
    code = welcome_mail_code()
    page = kiosk.get("/ophalen/inloggen").get_data(as_text=True)
    assert said(kiosk.application, "Or type the code from your welcome e-mail") in page
    typed = kiosk.post("/ophalen/inloggen", data={"purpose": "collect", "code": code.lower()})
    assert typed.status_code == 303 and typed.headers["Location"] == "/ophalen"


def test_a_wrong_typed_code_is_explained_at_its_field(kiosk: FlaskClient, patron: Patron) -> None:
    kiosk.get("/ophalen/inloggen")
    for code, refusal in [("", None), ("K7QM 2XPA", "code_invalid")]:
        response = kiosk.post("/ophalen/inloggen", data={"purpose": "collect", "code": code})
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and 'aria-describedby="code-hint code-error"' in page
        message = REFUSALS[refusal].message if refusal else "Type the code."
        assert said(kiosk.application, message) in page


def test_unknown_qr_code_is_refused(kiosk: FlaskClient, kiosk_devices: Devices) -> None:
    go = scan_qr(kiosk, kiosk_devices, "not-a-code")
    assert go.startswith("/ophalen/inloggen?error=code_invalid")
    assert 'role="alert"' in kiosk.get(go).get_data(as_text=True)


def test_wrong_mrz_may_be_retried_then_the_desk(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    assert scan_qr(kiosk, kiosk_devices, qr_code(patron)) == "/ophalen"
    document = patron_document()
    kiosk_devices.document_reader.place(document)  # type: ignore[attr-defined]
    wrong = typed_document(document) | {"document_number": "XX0000000"}
    assert type_document(kiosk, wrong) == "/ophalen?problem=access_denied"
    assert type_document(kiosk, wrong) == "/ophalen?problem=access_denied"
    assert type_document(kiosk, wrong) == "/ophalen/balie"
    blocked, cards, checks = portal_state(patron.id)
    assert blocked and cards == []
    assert {(c.outcome, c.reason) for c in checks} == {("unreadable", "access_denied")}


def test_typed_fields_are_checked_before_reading(kiosk: FlaskClient, patron: Patron) -> None:
    log_in_at_kiosk(kiosk, patron.customer_number)
    bad = {"document_number": "", "birth_date_day": "31", "birth_date_month": "02"}
    page = kiosk.post("/ophalen", data=bad | {"expiry_date_year": "soon"}).text
    for field in ("document_number", "birth_date", "expiry_date"):
        assert f'aria-describedby="{field}' in page and f'id="{field}-error"' in page


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_wrong_date_is_said_at_its_fieldset_and_parts(
    kiosk: FlaskClient, patron: Patron, locale: str
) -> None:
    log_in_at_kiosk(kiosk, patron.customer_number)
    if locale == "en":
        in_english(kiosk)
    typed = {"document_number": "NX1234567", "expiry_date_month": "6", "expiry_date_year": "2031"}
    typed |= {"birth_date_day": "31", "birth_date_month": "2", "birth_date_year": "1985"}
    response = kiosk.post("/ophalen", data=typed)
    page = response.text
    assert response.status_code == 422
    for message in ["This date does not exist. Check the day and the month.", DATE_MISSING]:
        assert said(kiosk.application, message, locale) in page
    fields = {field["id"]: field for field in inputs(page) if field.get("id")}
    wrong = {name for name, field in fields.items() if field.get("aria-invalid") == "true"}
    assert wrong == {"birth_date_day", "birth_date_month", "birth_date_year", "expiry_date_day"}
    assert fields["expiry_date_day"]["aria-describedby"] == "expiry_date-hint expiry_date-error"
    assert fields["expiry_date_month"]["aria-describedby"] == "expiry_date-hint"
    assert [fields[f"birth_date_{part}"]["value"] for part in DATE_PARTS] == ["31", "2", "1985"]
    assert fields["document_number"]["value"] == "NX1234567"
    described = {fields[f"birth_date_{part}"]["aria-describedby"] for part in DATE_PARTS}
    assert described == {"birth_date-hint birth_date-error"}


# Every wrong part of a date in one error, a year out of range said as such (in the catalogue's
# own words: a missing translation must not pass).
SEVERAL_WRONG = {
    "nl": "De dag is een getal van 1 tot en met 31. De maand is een getal van 1 tot en met 12. "
    "Het jaar is een getal van 1900 tot en met 2099.",
    "en": "The day is a number from 1 to 31. The month is a number from 1 to 12. "
    "The year is a number from 1900 to 2099.",
}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_every_wrong_part_of_a_date_is_said_at_once(
    kiosk: FlaskClient, patron: Patron, locale: str
) -> None:
    log_in_at_kiosk(kiosk, patron.customer_number)
    if locale == "en":
        in_english(kiosk)
    typed = typed_document(patron_document())
    typed |= {"birth_date_day": "32", "birth_date_month": "13", "birth_date_year": "1850"}
    response = kiosk.post("/ophalen", data=typed)
    assert response.status_code == 422 and SEVERAL_WRONG[locale] in response.text
    fields = {field["id"]: field for field in inputs(response.text) if field.get("id")}
    wrong = {name for name, field in fields.items() if field.get("aria-invalid") == "true"}
    assert wrong == {"birth_date_day", "birth_date_month", "birth_date_year"}


def test_a_birth_date_after_today_is_refused_before_reading(
    kiosk: FlaskClient, kiosk_clock: ManualClock, patron: Patron
) -> None:
    log_in_at_kiosk(kiosk, patron.customer_number)
    tomorrow = kiosk_clock.today() + timedelta(days=1)
    born = {"day": str(tomorrow.day), "month": str(tomorrow.month), "year": str(tomorrow.year)}
    typed = typed_document(patron_document()) | {f"birth_date_{k}": v for k, v in born.items()}
    page = kiosk.post("/ophalen", data=typed).text
    message = "A date of birth cannot be after today. Check the year."
    assert said(kiosk.application, message) in page
    assert 'id="expiry_date-error"' not in page and 'id="document_number-error"' not in page


def test_document_removed_then_read(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    log_in_at_kiosk(kiosk, patron.customer_number)
    document = patron_document()
    assert type_document(kiosk, typed_document(document)) == "/ophalen?problem=document_removed"
    kiosk_devices.document_reader.place(document)  # type: ignore[attr-defined]
    assert type_document(kiosk, typed_document(document)) == "/ophalen/nieuwe-pas"


def test_mismatch_sends_to_the_desk_and_changes_nothing(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    log_in_at_kiosk(kiosk, patron.customer_number)
    document = patron_document(surname="Jansen")
    kiosk_devices.document_reader.place(document)  # type: ignore[attr-defined]
    assert type_document(kiosk, typed_document(document)) == "/ophalen/balie"
    page = kiosk.get("/ophalen/balie").get_data(as_text=True)
    assert said(kiosk.application, "Please go to the desk") in page and "JANSEN" not in page.upper()
    assert kiosk.get("/ophalen/nieuwe-pas").headers["Location"] == "/ophalen/balie"
    blocked, cards, checks = portal_state(patron.id)
    assert blocked and cards == []
    assert [(c.outcome, c.document_type) for c in checks] == [("mismatch", "P")]


def test_card_removed_mid_write_is_retried(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    verified_by_typing(kiosk, kiosk_devices, patron)
    tag = FlakyTag(blank_tag().identifier, failures=2)
    place_blank(kiosk_devices, tag)
    assert encode(kiosk) == "/ophalen/klaar"
    _blocked, cards, _checks = portal_state(patron.id)
    assert [(c.number, c.status) for c in cards] == [(tag_number(tag), "active")]


def test_a_failing_card_is_set_aside_and_another_works(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    verified_by_typing(kiosk, kiosk_devices, patron)
    bad = FlakyTag(blank_tag().identifier, failures=99)
    place_blank(kiosk_devices, bad)
    kiosk.get("/ophalen/nieuwe-pas")
    poll_status(kiosk, CARD_STATUS, said(kiosk.application, SET_ASIDE))
    _blocked, cards, _checks = portal_state(patron.id)
    assert [c.status for c in cards] == ["pending"]
    good = blank_tag()
    place_blank(kiosk_devices, None)
    poll_status(kiosk, CARD_STATUS, said(kiosk.application, WAITING))
    place_blank(kiosk_devices, good)
    assert go_from(kiosk, "/ophalen/nieuwe-pas/status") == "/ophalen/klaar"
    assert tag_number(bad) is None
    _blocked, cards, _checks = portal_state(patron.id)
    assert [(c.number, c.status) for c in cards] == [(tag_number(good), "active")]


def test_a_card_that_failed_its_read_back_may_be_placed_again(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    verified_by_typing(kiosk, kiosk_devices, patron)
    tag = FlakyTag(blank_tag().identifier, bad_readbacks=3)
    place_blank(kiosk_devices, tag)
    kiosk.get("/ophalen/nieuwe-pas")
    poll_status(kiosk, CARD_STATUS, said(kiosk.application, SET_ASIDE))
    number = tag_number(tag)
    assert number is not None and portal_state(patron.id)[1][0].status == "pending"
    place_blank(kiosk_devices, None)
    poll_status(kiosk, CARD_STATUS, said(kiosk.application, WAITING))
    place_blank(kiosk_devices, tag)
    assert go_from(kiosk, CARD_STATUS) == "/ophalen/klaar"
    assert [(c.number, c.status) for c in portal_state(patron.id)[1]] == [(number, "active")]


def test_an_encoded_card_is_refused(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    verified_by_typing(kiosk, kiosk_devices, patron)
    used = card_tag("52700000012345")
    place_blank(kiosk_devices, used)
    kiosk.get("/ophalen/nieuwe-pas")
    in_use = said(kiosk.application, "This card is already in use. Take another blank card.")
    poll_status(kiosk, CARD_STATUS, in_use)
    assert tag_number(used) == "52700000012345"
    place_blank(kiosk_devices, None)
    poll_status(kiosk, CARD_STATUS, said(kiosk.application, WAITING))
    place_blank(kiosk_devices, blank_tag())
    assert go_from(kiosk, "/ophalen/nieuwe-pas/status") == "/ophalen/klaar"


def test_printer_out_of_paper_shows_the_slip(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    kiosk_devices.printer.state = PrinterStatus.PAPER_OUT  # type: ignore[attr-defined]
    verified_by_typing(kiosk, kiosk_devices, patron)
    tag = blank_tag()
    place_blank(kiosk_devices, tag)
    assert encode(kiosk) == "/ophalen/klaar"
    page = kiosk.get("/ophalen/klaar").get_data(as_text=True)
    assert tag_number(tag) in page and patron.customer_number in page
    assert said(kiosk.application, NOT_PRINTED) in page
    assert said(kiosk.application, MAILED) in page
    assert said(kiosk.application, WRITE_IT_DOWN) not in page
    assert kiosk_devices.printer.printed == []  # type: ignore[attr-defined]


def test_no_blank_card_in_time_offers_another_try(
    kiosk: FlaskClient, kiosk_devices: Devices, kiosk_clock: ManualClock, patron: Patron
) -> None:
    verified_by_typing(kiosk, kiosk_devices, patron)
    assert kiosk.get("/ophalen/nieuwe-pas").status_code == 303  # waiting for a blank card
    assert advance_until(kiosk_clock, lambda: kiosk.get(CARD_STATUS).json["go"] is not None, 0.1)
    assert go_from(kiosk, CARD_STATUS) == "/ophalen/nieuwe-pas"
    page = kiosk.get("/ophalen/nieuwe-pas").get_data(as_text=True)
    assert 'role="alert"' in page and 'data-busy="1"' not in page
    place_blank(kiosk_devices, blank_tag())
    assert kiosk.post("/ophalen/nieuwe-pas").status_code == 303
    assert go_from(kiosk, "/ophalen/nieuwe-pas/status") == "/ophalen/klaar"


def test_the_new_card_left_on_the_reader_opens_no_session(
    kiosk: FlaskClient, kiosk_devices: Devices, kiosk_clock: ManualClock, patron: Patron
) -> None:
    verified_by_typing(kiosk, kiosk_devices, patron)
    tag = blank_tag()
    place_blank(kiosk_devices, tag)
    assert encode(kiosk) == "/ophalen/klaar"
    kiosk.post("/stoppen")
    for _attempt in range(3):
        assert kiosk.get("/events").json["go"] is None
    place_blank(kiosk_devices, None)
    assert kiosk.get("/events").json["go"] is None
    kiosk_clock.advance(1)  # a tap at the moment the session ended could be the card left there
    place_blank(kiosk_devices, tag)
    assert poll(kiosk, "/events")["go"] == "/pas"  # tapped again: the new card works


def test_patron_with_a_card_has_nothing_to_collect(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    verified_by_typing(kiosk, kiosk_devices, patron)
    place_blank(kiosk_devices, blank_tag())
    assert encode(kiosk) == "/ophalen/klaar"
    kiosk.post("/stoppen")
    go = scan_qr(kiosk, kiosk_devices, qr_code(patron))
    assert go.startswith("/ophalen/inloggen?error=code_used")
    assert said(kiosk.application, REFUSALS["code_used"].message) in kiosk.get(go).text
    response = log_in_at_kiosk(kiosk, patron.customer_number)
    assert response.headers["Location"] == "/ophalen/niet-nodig"


def test_too_many_wrong_passwords_say_until_when(kiosk: FlaskClient, patron: Patron) -> None:
    template = REFUSALS["too_many_attempts"].message
    before_time = said(kiosk.application, template, until="|").split("|")[0]
    pages = [
        log_in_at_kiosk(kiosk, patron.customer_number, "wrong-password-123").text
        for _attempt in range(7)
    ]
    assert before_time in pages[-1] and 'role="alert"' in pages[-1]


def no_field_autocompletes(page: str) -> bool:
    """Whether every input of the page says autocomplete="off" (hidden ones may say nothing)."""
    fields = inputs(page)
    typed = [field for field in fields if field.get("type") != "hidden"]
    hidden = [field for field in fields if field.get("type") == "hidden"]
    return (
        bool(typed)
        and all(field.get("autocomplete") == "off" for field in typed)
        and all(field.get("autocomplete") in (None, "off") for field in hidden)
    )


def test_no_field_offers_a_browser_to_keep_what_was_typed(
    kiosk: FlaskClient, patron: Patron
) -> None:
    pages = [kiosk.get("/ophalen/inloggen").text, kiosk.get("/ophalen/inloggen?purpose=lost").text]
    pages.append(log_in_at_kiosk(kiosk, "", "").text)
    assert any(field.get("type") == "password" for field in inputs(pages[-1]))
    log_in_at_kiosk(kiosk, patron.customer_number)
    pages.append(kiosk.get("/ophalen").text)
    pages.append(kiosk.post("/ophalen", data={"document_number": "?"}).text)
    assert all(no_field_autocompletes(page) for page in pages)


def test_a_partial_mrz_scan_is_forgotten(
    kiosk_app: Flask, kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    log_in_at_kiosk(kiosk, patron.customer_number)
    document = patron_document()
    kiosk_devices.document_reader.place(document)  # type: ignore[attr-defined]
    assert kiosk.get("/ophalen").status_code == 200
    first, second = td3_mrz(document)
    kiosk_devices.scanner.type_line(first)  # type: ignore[attr-defined]
    failed = said(kiosk_app, "The scan did not work. Scan again, or type the details.")
    assert kiosk.get("/ophalen/mrz").json["status"] == failed
    session = kiosk_app.extensions["kiosk"].sessions.current()
    assert session is not None and first not in repr(session.data)
    for line in (first, second):
        kiosk_devices.scanner.type_line(line)  # type: ignore[attr-defined]
    assert go_from(kiosk, "/ophalen/mrz") == "/ophalen/lezen"
    assert go_from(kiosk, "/ophalen/lezen/status") == "/ophalen/nieuwe-pas"


def test_a_double_tap_on_log_in_identifies_once(
    kiosk_app: Flask, kiosk: FlaskClient, patron: Patron
) -> None:
    kiosk.get("/ophalen/inloggen")
    cookie = kiosk.get_cookie(COOKIE)
    assert cookie is not None
    again = kiosk_app.test_client()  # the same browser's second request
    again.set_cookie(COOKIE, cookie.value)
    both_at_once = threading.Barrier(2)
    form = {"login": patron.customer_number, "password": PASSWORD}

    def tap(browser: FlaskClient) -> tuple[int, str]:
        both_at_once.wait()
        response = browser.post("/ophalen/inloggen", data=form)
        return response.status_code, response.headers["Location"]

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(tap, [kiosk, again]))
    assert answers == [(303, "/ophalen"), (303, "/ophalen")]
    assert kiosk.get("/ophalen").status_code == 200


def test_two_pages_polling_as_the_card_is_ready_both_reach_the_slip(
    kiosk_app: Flask, kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    verified_by_typing(kiosk, kiosk_devices, patron)
    place_blank(kiosk_devices, blank_tag())
    assert kiosk.get("/ophalen/nieuwe-pas").status_code == 303  # the encoding starts
    session = kiosk_app.extensions["kiosk"].sessions.current()
    assert until(lambda: session.data["job:encode"].done.is_set())
    reloaded = kiosk_app.test_client()  # the same browser's page, loaded again
    reloaded.set_cookie(COOKIE, kiosk.get_cookie(COOKIE).value)
    answers: list[str | None] = []
    with session.data["lock"]:  # both polls are in flight before either moves the session
        polls = [
            *started_waiting(lambda: answers.append(kiosk.get(CARD_STATUS).json["go"])),
            *started_waiting(lambda: answers.append(reloaded.get(CARD_STATUS).json["go"])),
        ]
    for thread in polls:
        thread.join()
    assert answers == ["/ophalen/klaar", "/ophalen/klaar"]
    assert len(kiosk_devices.printer.printed) == 1  # type: ignore[attr-defined]
    assert kiosk.get("/ophalen/klaar").status_code == 200


def test_a_second_submit_follows_the_read_that_runs(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    log_in_at_kiosk(kiosk, patron.customer_number)
    document = patron_document()
    kiosk_devices.document_reader.place(document)  # type: ignore[attr-defined]
    for _submit in range(2):
        response = kiosk.post("/ophalen", data=typed_document(document))
        assert response.headers["Location"] == "/ophalen/lezen"
    assert kiosk.get("/ophalen").headers["Location"] == "/ophalen/lezen"  # the back button
    assert go_from(kiosk, "/ophalen/lezen/status") == "/ophalen/nieuwe-pas"
    assert [c.outcome for c in portal_state(patron.id)[2]] == ["verified"]


@pytest.fixture
def outage(
    app: Flask, portal_server: str, kiosk_devices: Devices, kiosk_clock: ManualClock
) -> Iterator[tuple[ActivationOutage, FlaskClient]]:
    """A kiosk whose portal is away whenever a card is activated; its browser."""
    gateway = ActivationOutage(app)
    with running_server(gateway) as url:
        config = kiosk_config(url, register_kiosk(app), KIOSK_DOCUMENT_TIMEOUT=0.5)
        with running_kiosk(config, kiosk_devices, kiosk_clock) as kiosk:
            yield gateway, kiosk.test_client()


def test_a_written_card_the_portal_could_not_link_goes_to_the_desk(
    outage: tuple[ActivationOutage, FlaskClient],
    kiosk_devices: Devices,
    kiosk_clock: ManualClock,
    patron: Patron,
) -> None:
    gateway, kiosk = outage
    verified_by_typing(kiosk, kiosk_devices, patron)
    tag = blank_tag()
    place_blank(kiosk_devices, tag)
    assert kiosk.get("/ophalen/nieuwe-pas").status_code == 303
    assert until(lambda: gateway.refused == 1)
    # The kiosk tries twice more, waiting between the tries.
    assert advance_until(kiosk_clock, lambda: gateway.refused == 3, 0.5)
    assert go_from(kiosk, CARD_STATUS) == "/ophalen/balie"
    assert gateway.refused == 3
    page = kiosk.get("/ophalen/balie").text
    unlinked = (
        "Your card is written but we could not link it. Please go to the desk with this card."
    )
    assert said(kiosk.application, unlinked) in page
    blocked, cards, _checks = portal_state(patron.id)
    assert blocked and [(c.number, c.status) for c in cards] == [(tag_number(tag), "pending")]


def test_a_card_written_in_an_earlier_session_is_linked(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    verified_by_typing(kiosk, kiosk_devices, patron)
    tag = FlakyTag(blank_tag().identifier, bad_readbacks=3)
    place_blank(kiosk_devices, tag)
    kiosk.get("/ophalen/nieuwe-pas")
    poll_status(kiosk, CARD_STATUS, said(kiosk.application, SET_ASIDE))
    number = tag_number(tag)
    kiosk.post("/stoppen")
    place_blank(kiosk_devices, None)
    verified_by_typing(kiosk, kiosk_devices, patron)
    place_blank(kiosk_devices, tag)
    assert encode(kiosk) == "/ophalen/klaar"
    assert [(c.number, c.status) for c in portal_state(patron.id)[1]] == [(number, "active")]


def test_without_an_e_mail_address_the_patron_is_told_to_keep_the_number(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    patron.library_email, patron.login_account.email = "", None
    db.session.commit()
    kiosk_devices.printer.state = PrinterStatus.PAPER_OUT  # type: ignore[attr-defined]
    verified_by_typing(kiosk, kiosk_devices, patron)
    place_blank(kiosk_devices, blank_tag())
    assert encode(kiosk) == "/ophalen/klaar"
    page = kiosk.get("/ophalen/klaar").text
    assert said(kiosk.application, WRITE_IT_DOWN) in page
    assert said(kiosk.application, MAILED) not in page


def test_a_card_linked_after_the_patron_left_opens_nothing_until_tapped_again(
    app: Flask, portal_server: str, kiosk_devices: Devices, patron: Patron
) -> None:
    gateway = ActivationOutage(app, refuse=False, delay=1.0)
    with running_server(gateway) as url:
        config = kiosk_config(url, register_kiosk(app), KIOSK_DOCUMENT_TIMEOUT=0.5)
        with running_kiosk(config, kiosk_devices) as kiosk_app:
            kiosk = kiosk_app.test_client()
            verified_by_typing(kiosk, kiosk_devices, patron)
            kiosk.get("/ophalen/nieuwe-pas")
            running = kiosk_app.extensions["kiosk"]
            encoder = running.sessions.current().data["encoder"]
            assert encoder.holding_reader.wait(5)  # the card reaches the job, not the watcher
            tag = blank_tag()
            place_blank(kiosk_devices, tag)
            assert gateway.arrived.wait(10)
            assert kiosk.post("/stoppen").headers["Location"] == "/"  # the patron walks away
            assert until(lambda: portal_state(patron.id)[1][0].status == "active")
            stranger = kiosk_app.test_client()
            assert all(stranger.get("/events").json["go"] is None for _ in range(5))
            assert running.sessions.current() is None
            place_blank(kiosk_devices, None)
            assert until(lambda: not running.watcher.present)
            place_blank(kiosk_devices, tag)  # the patron's deliberate tap
            assert until(lambda: stranger.get("/events").json["go"] == "/pas")


def test_an_expired_document_sends_to_the_desk_and_says_so(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    log_in_at_kiosk(kiosk, patron.customer_number)
    expired = local_today(now()) - timedelta(days=1)
    document = patron_document(expiry=expired)
    kiosk_devices.document_reader.place(document)  # type: ignore[attr-defined]
    assert type_document(kiosk, typed_document(document)) == "/ophalen/balie"
    page = kiosk.get("/ophalen/balie").get_data(as_text=True)
    assert said(kiosk.application, EXPIRED) in page
    blocked, cards, checks = portal_state(patron.id)
    assert cards == [] and [(c.outcome, c.document_type) for c in checks] == [("expired", "P")]


def test_no_card_on_a_subscription_that_ended_the_desk_says_to_renew(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    patron.subscriptions[0].end_date = local_today(now()) - timedelta(days=1)
    db.session.commit()
    response = log_in_at_kiosk(kiosk, patron.customer_number)
    assert response.headers["Location"] == "/ophalen/balie"  # before any ID check
    assert said(kiosk.application, ENDED) in kiosk.get("/ophalen/balie").get_data(as_text=True)
    assert portal_state(patron.id)[2] == []


def test_a_patron_refused_by_the_library_is_sent_to_the_desk_in_discreet_words(
    kiosk: FlaskClient, patron: Patron, coordinator: FlaskClient
) -> None:
    assert refuse(coordinator, patron, "blacklisted", "Agressief").status_code == 303
    response = log_in_at_kiosk(kiosk, patron.customer_number)
    assert response.headers["Location"] == "/ophalen/balie"  # before any ID check
    page = kiosk.get("/ophalen/balie").get_data(as_text=True)
    assert said(kiosk.application, REFUSED) in page
    assert said(kiosk.application, ENDED) not in page and "Agressief" not in page
    assert portal_state(patron.id)[2] == []


def test_a_refusal_after_the_id_check_stops_the_card_at_the_desk(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron, coordinator: FlaskClient
) -> None:
    verified_by_typing(kiosk, kiosk_devices, patron)
    assert refuse(coordinator, patron, "invalid", "Adres bestaat niet").status_code == 303
    place_blank(kiosk_devices, blank_tag())
    assert encode(kiosk) == "/ophalen/balie"
    assert said(kiosk.application, REFUSED) in kiosk.get("/ophalen/balie").get_data(as_text=True)
    blocked, cards, _checks = portal_state(patron.id)
    assert blocked and cards == []


def test_english_chosen_on_the_start_screen_holds_through_logging_in(
    kiosk: FlaskClient, patron: Patron
) -> None:
    assert kiosk.post("/taal", data={"lang": "en", "next": "/"}).status_code == 303
    assert log_in_at_kiosk(kiosk, patron.customer_number).headers["Location"] == "/ophalen"
    page = kiosk.get("/ophalen").get_data(as_text=True)
    assert '<html lang="en">' in page and "ID document" in page


def test_english_chosen_here_reaches_the_slip_and_the_new_card_mail(
    kiosk: FlaskClient, kiosk_devices: Devices, patron: Patron
) -> None:
    assert kiosk.post("/taal", data={"lang": "en", "next": "/"}).status_code == 303
    verified_by_typing(kiosk, kiosk_devices, patron)  # their own language is Dutch
    place_blank(kiosk_devices, blank_tag())
    assert encode(kiosk) == "/ophalen/klaar"
    slip = kiosk_devices.printer.printed[-1]  # type: ignore[attr-defined]
    assert (slip.title, slip.locale) == ("Your new library card", "en_NL")
    db.session.expire_all()
    [mail] = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "new_card")).all()
    assert mail.locale == "en"


def test_without_a_choice_here_the_patron_gets_their_own_language(
    kiosk: FlaskClient, patron: Patron
) -> None:
    patron.locale = "en"
    db.session.commit()
    assert log_in_at_kiosk(kiosk, patron.customer_number).headers["Location"] == "/ophalen"
    assert '<html lang="en">' in kiosk.get("/ophalen").get_data(as_text=True)


def test_dutch_chosen_here_wins_over_the_patron_s_english(
    kiosk: FlaskClient, patron: Patron
) -> None:
    patron.locale = "en"
    db.session.commit()
    kiosk.post("/taal", data={"lang": "nl", "next": "/"})
    log_in_at_kiosk(kiosk, patron.customer_number)
    assert '<html lang="nl">' in kiosk.get("/ophalen").get_data(as_text=True)


REFUSED = (
    "The library has blocked your subscription: you cannot collect a card or borrow now. The desk"
    " can tell you more."
)
EXPIRED = "Your ID document has expired. Bring a valid passport or identity card to the desk."
ENDED = (
    "Your subscription is not valid: it has ended or it is blocked. Renew it at the desk or on "
    "the website; then you can collect your card."
)
