"""The card rules the desk's card actions keep after review: one active main card per patron
(also after a merge), secondary cards always going with it, the login following the patron's
numbers when a card is deleted, a mistaken replacement undone, the kiosk's mail on every new
main card, only our branches' blank cards, a number taken by another desk at the same moment,
and a second press of a button answered as done."""

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.wiring import mail_settings, now
from shared.accounts import login
from shared.cards.numbers import luhn_check_digit
from shared.cards.secondary import attach_secondaries
from shared.desk import cards
from shared.errors import DomainError
from shared.models.account import LoginAccount
from shared.models.card import Card, CardReason, CardRole, CardStatus
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from shared.timeutil import local_today
from tests.functional.portal.test_desk_cards import (
    A,
    B,
    C,
    D,
    act,
    card,
    card_actions,
    desk,
    error_at,
    fresh,
    login_password,
    patron,
    scan,
    values,
)
from tests.support.accounts import PASSWORD
from tests.support.databases import only_on_postgresql
from tests.support.factories import create_account, create_card, create_patron
from tests.support.kiosk_api import KioskApi, queued_mail
from tests.support.staff import screen, section, text_of

__all__ = ["desk", "patron"]  # the fixtures, shared with test_desk_cards


def active_mains(patron: Patron) -> list[str]:
    """The numbers of the patron's active main cards as stored now."""
    db.session.expire_all()
    query = select(Card.number).where(
        Card.patron_id == patron.id, Card.role == CardRole.MAIN, Card.status == CardStatus.ACTIVE
    )
    return list(db.session.scalars(query))


def merged_cards(patron: Patron) -> tuple[Card, Card, Card]:
    """The patron's cards as a merge leaves them: their own active main card, the other record's
    main card lost since (issued later) and its secondary card still going with the other
    record's main card, replaced by the merge."""
    mine = create_card(db.session, patron, now() - timedelta(days=300))
    lost = create_card(db.session, patron, now() - timedelta(days=5), status=CardStatus.LOST)
    theirs = create_card(db.session, patron, now(), status=CardStatus.REPLACED)
    follower = create_card(db.session, patron, now(), role=CardRole.SECONDARY)
    follower.main_card_id = theirs.id
    db.session.commit()
    return mine, lost, follower


def test_a_replacement_replaces_the_active_main_card_and_one_is_active(
    app: Flask, patron: Patron
) -> None:
    staff = create_account(db.session, now())
    mine, lost, _ = merged_cards(patron)
    cards.replace_card(db.session, staff, patron, A, CardReason.DAMAGED, mail_settings(), now())
    db.session.commit()
    assert active_mains(patron) == [A]
    assert card(mine.number).status == CardStatus.REPLACED
    assert card(lost.number).status == CardStatus.LOST
    assert card(A).replaces_id == mine.id
    db.session.add(Card(patron_id=patron.id, number=B, issued_at=now()))
    with pytest.raises(IntegrityError, match="card.patron_id|uq_card_active_main"):
        db.session.flush()  # the database keeps one active main card per patron
    db.session.rollback()


def test_secondary_cards_go_with_the_active_main_card_which_they_need(
    desk: FlaskClient, patron: Patron
) -> None:
    mine, _, follower = merged_cards(patron)
    attach_secondaries(db.session, patron)  # what the merge calls once the cards moved
    db.session.commit()
    assert card(follower.number).main_card_id == mine.id
    act(desk, mine.number, mine.number, "verwijderen")
    assert "De klant heeft actieve volgpassen" in text_of(screen(desk, mine.number))
    assert card(mine.number) is not None and active_mains(patron) == [mine.number]
    act(desk, mine.number, follower.number, "blokkeren", reason="lost")
    assert act(desk, mine.number, mine.number, "verwijderen").status_code == 303
    assert card(mine.number) is None
    assert card(follower.number).main_card_id is None  # blocked, it waits for a main card


def test_deleting_a_blocked_main_card_names_the_login_after_the_patron_again(
    desk: FlaskClient, patron: Patron
) -> None:
    temporary = patron.temporary_number
    scan(desk, temporary, A)
    act(desk, A, A, "blokkeren", reason="damaged")
    assert act(desk, A, A, "verwijderen").status_code == 303
    assert card(A) is None and fresh(patron).login_account.username == temporary
    assert fresh(patron).lending_blocked is True
    assert scan(desk, temporary, A).status_code == 303  # the number is free again
    assert fresh(patron).login_account.username == A


def test_deleting_a_mistaken_replacement_puts_the_old_card_back(
    desk: FlaskClient, patron: Patron
) -> None:
    password, temporary = login_password(patron), patron.temporary_number
    scan(desk, temporary, A)
    scan(desk, A, B, "replace", "damaged")  # by mistake: B was meant as a secondary card
    assert fresh(patron).login_account.username == B
    done = act(desk, B, B, "verwijderen")
    assert done.status_code == 303 and done.location == f"/balie/klanten/{temporary}#cards"
    assert card(B) is None
    assert (card(A).status, card(A).status_reason) == (CardStatus.BLOCKED, "damaged")
    assert fresh(patron).login_account.username == A and fresh(patron).lending_blocked is True
    assert card_actions(patron)[-1] == (
        "card.deleted",
        "balie",
        values(B, "active", None, False, B),
        {"lending_blocked": True, "username": A, "card_number": B, "status": "deleted"}
        | {"restored_card": A, "restored_status": "blocked"},
    )
    assert act(desk, A, A, "deblokkeren").status_code == 303  # it still works: unblock it
    assert card(A).status == CardStatus.ACTIVE and fresh(patron).lending_blocked is False
    assert login.log_in(db.session, A, password, now()).new_number is None
    db.session.rollback()
    assert scan(desk, A, B, "secondary").status_code == 303
    assert card(B).role == CardRole.SECONDARY and card(B).main_card_id == card(A).id


def test_a_new_card_after_a_deleted_replacement_renames_the_login(
    desk: FlaskClient, patron: Patron
) -> None:
    scan(desk, patron.temporary_number, A)
    scan(desk, A, B, "replace", "lost")
    act(desk, B, B, "verwijderen")
    assert card(A).status == CardStatus.LOST  # replaced as lost: back as lost
    assert scan(desk, A, C, "add").status_code == 303
    assert fresh(patron).login_account.username == C and card(C).replaces_id == card(A).id


def test_a_card_added_after_a_lost_one_follows_it_and_is_mailed(
    desk: FlaskClient, patron: Patron
) -> None:
    scan(desk, patron.temporary_number, A)
    db.session.execute(OutboxMail.__table__.delete())  # the first card's mail, seen elsewhere
    db.session.commit()
    act(desk, A, A, "blokkeren", reason="lost")
    assert scan(desk, A, B, "add").status_code == 303
    assert card(A).status == CardStatus.LOST  # as at the kiosk: the lost card stays lost
    assert card(B).replaces_id == card(A).id and fresh(patron).login_account.username == B
    row, message = queued_mail("new_card")
    assert row.to_address == patron.library_email
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert B in text and A in text
    action, _, _, after = card_actions(patron)[-1]
    assert action == "card.added" and after is not None
    assert (after["replaced_card"], after["replaced_status"]) == (A, "lost")
    act(desk, B, A, "verwijderen")  # never used, but followed by B
    assert "Een vervangen pas blijft" in text_of(screen(desk, B)) and card(A) is not None


def test_a_secondary_card_is_unblocked_only_under_a_valid_subscription(
    desk: FlaskClient, patron: Patron
) -> None:
    scan(desk, patron.temporary_number, A)
    scan(desk, A, C, "secondary")
    act(desk, A, C, "blokkeren", reason="lost")
    subscription = fresh(patron).subscriptions[0]
    today = local_today(now())
    subscription.start_date, subscription.end_date = today - timedelta(400), today - timedelta(2)
    db.session.commit()
    act(desk, A, C, "deblokkeren")
    assert "niet geldig" in text_of(screen(desk, A)) and card(C).status == CardStatus.LOST


def test_a_card_of_another_branch_is_refused_and_the_field_emptied(
    desk: FlaskClient, patron: Patron
) -> None:
    body = "208300000101"  # 0830: Nieuwegein's prefix (seed 003), no branch of ours
    foreign = body + luhn_check_digit(body)
    html = scan(desk, patron.temporary_number, foreign).get_data(as_text=True)
    assert "niet bij een van onze vestigingen" in error_at(html, "card_number")
    assert f'value="{foreign}"' not in html and 'aria-invalid="true"' in html
    assert card(foreign) is None and card_actions(patron) == []


@only_on_postgresql("SQLite lets one writer at a time: the second desk waits and sees the card")
def test_two_desks_scanning_one_number_for_two_patrons(
    app: Flask, portal_instance: Callable[..., Flask]
) -> None:
    staff = create_account(db.session, now())
    one = create_patron(db.session, None, now(), subscription="0045")
    two = create_patron(db.session, None, now(), subscription="0045")
    db.session.commit()
    ids, outcome = (staff.id, two.id), []

    other_portal = portal_instance()  # before the threads (tests/support/threads.py says why)

    def second_desk() -> None:
        with other_portal.app_context():
            session = db.session()
            other_staff, other = (
                session.get_one(LoginAccount, ids[0]),
                session.get_one(Patron, ids[1]),
            )
            try:
                cards.add_main_card(session, other_staff, other, D, mail_settings(), now())
            except DomainError as error:
                outcome.append(error.code)
            db.session.remove()

    cards.add_main_card(db.session, staff, one, D, mail_settings(), now())  # not committed yet
    thread = threading.Thread(target=second_desk)
    thread.start()
    thread.join(timeout=1)  # the second desk waits on the number the first is storing
    db.session.commit()
    thread.join()
    assert outcome == ["card_number_taken"]
    assert card(D).patron_id == one.id


def test_a_second_press_of_a_button_is_answered_as_done(desk: FlaskClient, patron: Patron) -> None:
    scan(desk, patron.temporary_number, A)
    scan(desk, A, C, "secondary")
    act(desk, A, C, "blokkeren", reason="damaged")
    act(desk, A, C, "deblokkeren")
    again = act(desk, A, C, "deblokkeren")
    assert again.status_code == 303 and f"Pas {C} werkt al." in screen(desk, A)
    act(desk, A, C, "verwijderen")
    act(desk, A, C, "verwijderen")
    html = screen(desk, A)
    assert f"Pas {C} was al verwijderd." in html and 'class="flash flash-error"' not in html
    actions = [a for a, *_ in card_actions(patron)]
    assert actions == [
        "card.added",
        "card.secondary_added",
        "card.blocked",
        "card.unblocked",
        "card.deleted",
    ]


def test_a_secondary_card_pays_at_the_kiosk_but_never_logs_in(
    desk: FlaskClient, patron: Patron, kiosk: KioskApi
) -> None:
    login_password(patron)
    scan(desk, patron.temporary_number, A)
    scan(desk, A, C, "secondary")
    balance = kiosk.call("GET", f"/patrons/{C}/balance")  # the holder pays what they owe
    assert balance.status_code == 200 and balance.json["patron"] == C
    assert balance.json == kiosk.call("GET", f"/patrons/{A}/balance").json | {"patron": C}
    typed = kiosk.identify(method="password", login=C, password=PASSWORD)
    assert typed.json["error"] == "secondary_card"
    act(desk, A, C, "blokkeren", reason="lost")
    assert kiosk.call("GET", f"/patrons/{C}/balance").status_code == 404


def test_the_scan_page_and_the_cards_table_name_what_they_act_on(
    desk: FlaskClient, patron: Patron
) -> None:
    scan(desk, patron.temporary_number, A)
    scan(desk, A, C, "secondary")
    cards_section = section(screen(desk, A), "cards")
    assert "Pasnummer Soort pas Status Laatst gebruikt Acties" in cards_section
    assert f"{C} Volgpas Actief" in cards_section and f"{A} Hoofdpas Actief" in cards_section
    assert f"Waarom? pas {A} blokkeren" in cards_section  # the label names the card
    act(desk, A, A, "blokkeren", reason="stolen")
    page = desk.get(f"/balie/klanten/{A}/pas-scannen").get_data(as_text=True)
    assert 'value="replace" checked' in page or 'checked id="kind-1"' in page
    assert '<option selected value="stolen">' in page or 'value="stolen" selected' in page
    refused = scan(desk, A, "123", "replace", "zzz").get_data(as_text=True)
    assert 'aria-describedby="reason-hint reason-error"' in refused
    assert 'id="reason-error"' in refused and card(A).status == CardStatus.BLOCKED


def test_a_patrons_cards_with_a_replacement_are_deleted_together(
    desk: FlaskClient, patron: Patron
) -> None:
    scan(desk, patron.temporary_number, A)
    scan(desk, A, B, "replace", "damaged")
    scan(desk, B, C, "secondary")
    every = [card(number) for number in (A, B, C)]
    for each in every:  # as erasing a patron deletes every card, the oldest first
        db.session.delete(each)
    db.session.commit()
    assert card(A) is None and card(B) is None and card(C) is None
