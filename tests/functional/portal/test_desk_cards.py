"""The desk's card actions from the patron screen: a scanned blank card as the main card, a
replacement (the login renamed, the new number mailed) or a secondary card; blocking and
unblocking; deleting a card never used. Each in the audit log, each refusal with its reason,
and only for staff."""

import re
from collections.abc import Callable
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.wiring import now
from shared.accounts import login
from shared.accounts.desk import create_desk_login
from shared.accounts.passwords import hash_password
from shared.cards.numbers import luhn_check_digit
from shared.desk.audit import entries
from shared.errors import DomainError
from shared.mail.transport import SmtpTransport
from shared.mail.worker import send_pending_committing
from shared.models.card import Card, CardRole, CardStatus
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from shared.timeutil import local_today
from tests.support.accounts import PASSWORD, log_in, member
from tests.support.factories import create_patron
from tests.support.kiosk_api import KioskApi
from tests.support.servers import free_port
from tests.support.signup import csrf_token, csrf_token_in
from tests.support.smtp import RecordingHandler, start_smtp
from tests.support.staff import desk_session, screen, section, text_of

FLASH_ERROR = 'class="flash flash-error"'


def card_number(n: int) -> str:
    """A blank card's number of branch 5270: 2, the branch, seven digits and the check digit."""
    body = f"25270{n:07d}"
    return body + luhn_check_digit(body)


A, B, C, D = (card_number(n) for n in (101, 102, 103, 104))


@pytest.fixture
def desk(app: Flask, new_browser: Callable[[], FlaskClient]) -> FlaskClient:
    """A browser in which a desk member ("balie") logged in."""
    return desk_session(app, new_browser())


@pytest.fixture
def patron() -> Patron:
    """A patron with Basis from today, no card yet, and a login named after the temporary number."""
    patron = create_patron(db.session, None, now(), subscription="0045")
    patron.lending_blocked = True
    create_desk_login(db.session, patron, now())
    db.session.commit()
    return patron


def scan(
    browser: FlaskClient, patron_number: str, number: str, kind: str = "add", reason: str = "lost"
) -> TestResponse:
    """Open the scan page and send a scanned number as the card `kind` says."""
    path = f"/balie/klanten/{patron_number}/pas-scannen"
    token = csrf_token_in(browser.get(path).get_data(as_text=True))
    form = {"csrf_token": token, "kind": kind, "reason": reason, "card_number": number}
    return browser.post(path, data=form)


def act(
    browser: FlaskClient, patron_number: str, number: str, action: str, **form: str
) -> TestResponse:
    """Press a card's button on the patron screen (blokkeren, deblokkeren, verwijderen)."""
    token = csrf_token_in(screen(browser, patron_number))
    path = f"/balie/klanten/{patron_number}/passen/{number}/{action}"
    return browser.post(path, data={"csrf_token": token, **form})


def card(number: str) -> Card | None:
    """The card of this number as stored now."""
    db.session.expire_all()
    return db.session.scalar(select(Card).where(Card.number == number))


def fresh(patron: Patron) -> Patron:
    """The patron as stored now."""
    db.session.expire_all()
    return db.session.get_one(Patron, patron.id)


def card_actions(patron: Patron) -> list[tuple[str, str, dict | None, dict | None]]:
    """The patron's card actions in the audit log, oldest first."""
    return [
        (e.action, e.staff_username, e.before, e.after)
        for e in reversed(entries(db.session, patron_id=patron.id))
        if e.action.startswith("card.")
    ]


def values(number: str, status: str, reason: str | None, blocked: bool, username: str) -> dict:
    """What the audit log keeps of a main card action: the card, lending and the login's name."""
    card = {"card_number": number, "role": "main", "status": status, "status_reason": reason}
    return {"lending_blocked": blocked, "username": username} | card


def error_at(html: str, field: str) -> str:
    """The error shown at a field of the scan page (tied to it with aria-describedby)."""
    assert f'aria-describedby="{field}-error"' in html or f"{field}-hint {field}-error" in html
    found = re.search(
        rf'id="{field}-error"><span class="visually-hidden">[^<]*</span>([^<]*)<', html
    )
    assert found, f"no error at {field}"
    return found[1]


def test_a_scanned_blank_card_becomes_the_main_card_once(desk: FlaskClient, patron: Patron) -> None:
    temporary = patron.temporary_number
    page = desk.get(f"/balie/klanten/{temporary}/pas-scannen").get_data(as_text=True)
    assert "autofocus" in page and 'inputmode="numeric"' in page
    assert 'value="add" checked' in page or 'checked id="kind-0"' in page
    done = scan(desk, temporary, A)
    assert done.status_code == 303 and done.location == f"/balie/klanten/{A}#cards"
    again = scan(desk, temporary, A)  # the scanner sent it twice
    assert again.status_code == 303 and again.location == f"/balie/klanten/{A}#cards"
    stored = card(A)
    assert stored is not None
    assert (stored.role, stored.status, stored.status_reason) == (CardRole.MAIN, "active", None)
    assert fresh(patron).lending_blocked is False
    assert fresh(patron).login_account.username == A
    assert card_actions(patron) == [
        (
            "card.added",
            "balie",
            {"lending_blocked": True, "username": temporary},
            values(A, "active", None, False, A),
        )
    ]
    html = screen(desk, A)
    assert f"Pas {A} is aan de klant gekoppeld." in html
    cards = section(html, "cards")
    assert "Wat er met elke pas kan" in cards and "Nooit" in cards
    assert "Hoofdpas toegevoegd" in section(html, "staff-actions")


def test_scans_refused_with_the_reason_at_the_field(desk: FlaskClient, patron: Patron) -> None:
    number = patron.temporary_number
    other = create_patron(db.session, None, now(), subscription="0045")
    db.session.add(Card(patron_id=other.id, number=B, issued_at=now()))
    db.session.commit()
    wrong = scan(desk, number, A[:-1] + str((int(A[-1]) + 1) % 10))
    assert wrong.status_code == 200
    assert "Dit is geen pasnummer" in error_at(wrong.get_data(as_text=True), "card_number")
    taken = scan(desk, number, B).get_data(as_text=True)
    assert "al uitgegeven" in error_at(taken, "card_number")
    empty = scan(desk, number, "  ").get_data(as_text=True)
    assert "Scan de barcode van de pas." in error_at(empty, "card_number")
    no_main = scan(desk, number, C, "secondary").get_data(as_text=True)
    assert "geen actieve hoofdpas" in error_at(no_main, "kind")
    nothing_to_replace = scan(desk, number, C, "replace").get_data(as_text=True)
    assert "geen hoofdpas om te vervangen" in error_at(nothing_to_replace, "kind")
    assert scan(desk, number, A).status_code == 303
    second_main = scan(desk, A, C, "add").get_data(as_text=True)
    assert "Er kan geen pas worden gegeven" in error_at(second_main, "kind")
    assert card(C) is None and len(card_actions(patron)) == 1


def test_no_card_without_a_valid_subscription(desk: FlaskClient, patron: Patron) -> None:
    subscription = patron.subscriptions[0]
    today = local_today(now())
    subscription.start_date = today - timedelta(days=400)
    subscription.end_date = today - timedelta(days=2)
    db.session.commit()
    refused = scan(desk, patron.temporary_number, A).get_data(as_text=True)
    assert "niet geldig" in error_at(refused, "kind")
    assert card(A) is None and card_actions(patron) == []


def test_replacing_renames_the_login_and_mails_the_new_number(
    desk: FlaskClient, patron: Patron
) -> None:
    password = login_password(patron)
    assert scan(desk, patron.temporary_number, A).status_code == 303
    assert scan(desk, A, C, "secondary").status_code == 303
    replaced = scan(desk, A, B, "replace", "damaged")
    assert replaced.status_code == 303 and replaced.location == f"/balie/klanten/{B}#cards"
    old, new, secondary = card(A), card(B), card(C)
    assert old is not None and new is not None and secondary is not None
    assert (old.status, old.status_reason) == (CardStatus.REPLACED, "damaged")
    assert (new.role, new.status) == (CardRole.MAIN, CardStatus.ACTIVE)
    assert secondary.main_card_id == new.id and secondary.status == CardStatus.ACTIVE
    assert fresh(patron).login_account.username == B
    assert login.log_in(db.session, B, password, now()).new_number is None
    with pytest.raises(DomainError, match="card_not_active"):
        login.log_in(db.session, A, password, now())
    db.session.rollback()
    action, staff, before, after = card_actions(patron)[-1]
    assert (action, staff) == ("card.replaced", "balie")
    assert before == {"lending_blocked": False, "username": A}
    assert after is not None and after["card_number"] == B and after["username"] == B
    assert (after["replaced_card"], after["replaced_status"]) == (A, "replaced")
    handler = RecordingHandler()
    port = free_port()
    controller = start_smtp(handler, port)
    try:
        transport = SmtpTransport.from_url(f"smtp://127.0.0.1:{port}?timeout=5")
        assert send_pending_committing(db.session, transport, now=now()).sent == 2
    finally:
        controller.stop()
    first, second = handler.envelopes  # as at the kiosk, the first card's number is mailed too
    assert first.rcpt_tos == second.rcpt_tos == [patron.library_email]
    texts = [
        message_from_bytes(e.content, policy=policy.default)
        .get_body(preferencelist=("plain",))
        .get_content()
        for e in handler.envelopes
    ]
    assert A in texts[0] and patron.temporary_number in texts[0]
    assert B in texts[1] and A in texts[1]
    kinds = db.session.scalars(select(OutboxMail.kind)).all()
    assert kinds == ["new_card", "new_card"]


def login_password(patron: Patron) -> str:
    """The password of the patron's login, chosen by the patron (not one to change)."""
    account = fresh(patron).login_account
    account.password_hash, account.password_must_change = hash_password(PASSWORD), False
    db.session.commit()
    return PASSWORD


def test_block_and_unblock_a_card_found_again(desk: FlaskClient, patron: Patron) -> None:
    scan(desk, patron.temporary_number, A)
    scan(desk, A, C, "secondary")
    assert act(desk, A, A, "blokkeren", reason="stolen").status_code == 303
    assert (card(A).status, card(A).status_reason) == (CardStatus.BLOCKED, "stolen")
    assert fresh(patron).lending_blocked is True
    blocked_screen = screen(desk, A)
    assert "De pas is geblokkeerd." in blocked_screen and "Gestolen" in blocked_screen
    twice = act(desk, A, A, "blokkeren", reason="lost")  # the button pressed twice
    assert f"Pas {A} was al geblokkeerd." in screen(desk, A) and twice.status_code == 303
    assert card(A).status_reason == "stolen"
    assert act(desk, A, A, "deblokkeren").status_code == 303
    assert (card(A).status, card(A).status_reason) == (CardStatus.ACTIVE, None)
    assert fresh(patron).lending_blocked is False
    assert act(desk, A, C, "blokkeren", reason="damaged").status_code == 303
    assert card(C).status == CardStatus.BLOCKED and fresh(patron).lending_blocked is False
    assert act(desk, A, C, "deblokkeren").status_code == 303
    assert act(desk, A, A, "blokkeren", reason="lost").status_code == 303
    assert card(A).status == CardStatus.LOST
    assert "De pas is als kwijt gemeld" in screen(desk, A)
    assert scan(desk, A, B, "add").status_code == 303  # as the kiosk: the lost card stays lost
    act(desk, B, A, "deblokkeren")
    assert "nieuwere hoofdpas" in text_of(screen(desk, B)) and card(A).status == CardStatus.LOST
    assert scan(desk, B, D, "replace").status_code == 303
    act(desk, D, B, "deblokkeren")
    assert "nieuwere hoofdpas" in text_of(screen(desk, D))
    assert card(B).status == CardStatus.REPLACED and card(C).main_card_id == card(D).id
    actions = card_actions(patron)
    assert [a for a, *_ in actions] == [
        "card.added",
        "card.secondary_added",
        "card.blocked",
        "card.unblocked",
        "card.blocked",
        "card.unblocked",
        "card.blocked",
        "card.added",
        "card.replaced",
    ]
    assert actions[2][2:] == (
        values(A, "active", None, False, A),
        values(A, "blocked", "stolen", True, A),
    )


def test_a_card_is_deleted_only_before_it_was_used(
    desk: FlaskClient, patron: Patron, kiosk: KioskApi
) -> None:
    temporary = patron.temporary_number
    scan(desk, temporary, A)
    deleted = act(desk, A, A, "verwijderen")
    assert deleted.status_code == 303 and deleted.location == f"/balie/klanten/{temporary}#cards"
    assert card(A) is None and fresh(patron).lending_blocked is True
    assert fresh(patron).login_account.username == temporary
    assert card_actions(patron)[-1] == (
        "card.deleted",
        "balie",
        values(A, "active", None, False, A),
        {"lending_blocked": True, "username": temporary, "card_number": A, "status": "deleted"},
    )
    scan(desk, temporary, A)
    scan(desk, A, C, "secondary")
    act(desk, A, A, "verwijderen")
    assert "De klant heeft actieve volgpassen" in text_of(screen(desk, A)) and card(A) is not None
    assert act(desk, A, C, "verwijderen").status_code == 303 and card(C) is None
    assert kiosk.identify(method="card", card_number=A).status_code == 200
    assert card(A).last_used_at is not None
    act(desk, A, A, "verwijderen")
    html = screen(desk, A)
    assert "Deze pas is al gebruikt" in text_of(html) and card(A) is not None
    assert f"/passen/{A}/verwijderen" not in html  # no delete button for a used card
    scan(desk, A, B, "replace")
    scan(desk, B, D, "replace")
    act(desk, D, B, "verwijderen")  # never used, but replaced
    assert "Een vervangen pas blijft" in text_of(screen(desk, D)) and card(B) is not None
    scan(desk, D, C, "secondary")
    password = login_password(patron)
    log_in(desk.application.test_client(), D, password)
    assert card(D).last_used_at is not None and card(C).last_used_at is None


def test_card_actions_are_the_desks_only(
    app: Flask, new_browser: Callable[[], FlaskClient], patron: Patron
) -> None:
    coordinator = desk_session(app, new_browser(), "hoofd", "coordinator")
    assert scan(coordinator, patron.temporary_number, A).status_code == 303
    assert act(coordinator, A, A, "blokkeren", reason="lost").status_code == 303
    assert card_actions(patron)[-1][:2] == ("card.blocked", "hoofd")
    own = new_browser()
    member(own)  # a patron with a login of their own
    assert log_in(own, "marieke85").status_code == 303
    assert own.get(f"/balie/klanten/{A}/pas-scannen").status_code == 403
    token = csrf_token(own.get("/mijn-account"))  # a valid form, from the patron's own page
    for action in ("blokkeren", "deblokkeren", "verwijderen"):
        path = f"/balie/klanten/{A}/passen/{A}/{action}"
        assert own.post(path, data={"csrf_token": token, "reason": "lost"}).status_code == 403
    form = {"csrf_token": token, "kind": "add", "card_number": B}
    assert own.post(f"/balie/klanten/{A}/pas-scannen", data=form).status_code == 403
    anonymous = new_browser().get(f"/balie/klanten/{A}/pas-scannen")
    assert anonymous.status_code == 302 and "/inloggen" in anonymous.location
    assert card(A).status == CardStatus.LOST and card(B) is None


def test_a_patrons_cards_are_deleted_together_in_any_order(
    desk: FlaskClient, patron: Patron
) -> None:
    scan(desk, patron.temporary_number, A)
    scan(desk, A, C, "secondary")
    main, secondary = card(A), card(C)
    assert main is not None and secondary is not None
    db.session.delete(main)  # as erasing a patron deletes every card, the main card first
    db.session.delete(secondary)
    db.session.commit()
    assert card(A) is None and card(C) is None


def test_the_language_button_on_the_patron_screen_changes_no_card(
    desk: FlaskClient, patron: Patron
) -> None:
    # The screen's forms carry the language button; sent by it, a card's form only brings the
    # screen back in that language (it was a server error).
    scan(desk, patron.temporary_number, A)
    token = csrf_token_in(screen(desk, A))
    for action in ("blokkeren", "deblokkeren", "verwijderen"):
        form = {"csrf_token": token, "reason": "lost", "switch_language": "en"}
        sent = desk.post(f"/balie/klanten/{A}/passen/{A}/{action}", data=form)
        assert sent.status_code == 303 and sent.location == f"/balie/klanten/{A}#cards"
        assert FLASH_ERROR not in screen(desk, A) and card(A).status == CardStatus.ACTIVE
    assert "Lending is possible" in screen(desk, A)
