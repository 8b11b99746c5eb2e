"""A new library e-mail address given at the desk, through HTTP: the mailed link opens a page
whose button confirms it (opening the link confirms nothing), the login's address moving along
when it used the old one and the old address told so; a link that expired shown to the desk
and mailed again; a confirmation never overwriting what the desk saved meanwhile; and what an
emptied address means for the patron's mail."""

from collections.abc import Callable
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.wiring import now
from shared.accounts.confirmation import confirm_library_email
from shared.clock import ManualClock
from shared.desk.audit import entries
from shared.desk.patron_data import LINK_SENT
from shared.errors import DomainError
from shared.mail.patron_mail import patron_email
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from shared.tokens import CONFIRM_LIBRARY_EMAIL, make_token
from tests.functional.portal.test_desk_patron_data import change, page_of, stored
from tests.support.accounts import mailed_path, member
from tests.support.factories import create_patron
from tests.support.signup import csrf_token_in
from tests.support.staff import desk_session, screen, section, text_of

NEW = "marieke.dijk@example.org"
LINK = "/bevestigen/e-mail/"


@pytest.fixture
def desk(app: Flask, new_browser: Callable[[], FlaskClient]) -> FlaskClient:
    """A browser in which a desk member ("balie") logged in."""
    return desk_session(app, new_browser())


def mail_text(kind: str) -> str:
    """The plain text of the newest mail of this kind, on one line."""
    mail = db.session.scalars(
        select(OutboxMail).where(OutboxMail.kind == kind).order_by(OutboxMail.id.desc())
    ).first()
    assert mail is not None, kind
    body = message_from_bytes(mail.message, policy=policy.default).get_body(("plain",))
    return " ".join(body.get_content().split())


def mails(kind: str) -> int:
    """How many mails of this kind are in the outbox."""
    return len(db.session.scalars(select(OutboxMail.id).where(OutboxMail.kind == kind)).all())


def test_opening_the_link_confirms_nothing_and_the_button_does(
    desk: FlaskClient, client: FlaskClient, new_browser: Callable[[], FlaskClient]
) -> None:
    patron = member(client)  # marieke@example.nl: the login's and the record's address
    assert change(desk, patron, library_email=NEW).status_code == 303
    told = mail_text("library_email_changed")
    assert "Je inlogaccount gebruikt dit adres ook" in told
    link = mailed_path("confirm_library_email", LINK)
    scanner = new_browser()
    page = scanner.get(link)  # what a mail scanner does
    assert page.status_code == 200
    assert (stored(patron).library_email, stored(patron).login_account.email) == (
        "marieke@example.nl",
        "marieke@example.nl",
    )
    html = page.get_data(as_text=True)
    assert NEW in html and 'aria-describedby="login-moves"' in html
    assert "je inlogaccount" in text_of(html).lower()
    assert scanner.post(link).status_code == 400  # no CSRF token: refused
    assert stored(patron).pending_library_email == NEW
    confirmed = scanner.post(link, data={"csrf_token": csrf_token_in(html)})
    assert confirmed.status_code == 303
    assert "bevestigd" in scanner.get(confirmed.location).get_data(as_text=True)
    saved = stored(patron)
    assert (saved.library_email, saved.pending_library_email) == (NEW, None)
    assert saved.library_email_confirmed_at is not None and saved.login_account.email == NEW
    login = section(screen(desk, patron.customer_number), "login")
    assert f"E-mailadres {NEW}" in login  # the login's address as it is now, on the screen
    again = scanner.post(link, data={"csrf_token": csrf_token_in(html)})  # a second click
    assert again.status_code == 303 and stored(patron).library_email == NEW


def test_a_login_with_another_address_keeps_it_and_the_mails_say_nothing_of_it(
    desk: FlaskClient, client: FlaskClient
) -> None:
    patron = member(client, email="m.login@example.nl")
    patron.library_email = "thuis@example.nl"
    db.session.commit()
    assert change(desk, patron, library_email=NEW).status_code == 303
    assert "inlogaccount" not in mail_text("library_email_changed")
    html = client.get(mailed_path("confirm_library_email", LINK)).get_data(as_text=True)
    assert "login-moves" not in html
    client.post(
        mailed_path("confirm_library_email", LINK), data={"csrf_token": csrf_token_in(html)}
    )
    assert (stored(patron).library_email, stored(patron).login_account.email) == (
        NEW,
        "m.login@example.nl",
    )


def test_an_expired_link_is_shown_and_saving_the_address_again_mails_a_new_one(
    app: Flask,
    new_browser: Callable[[], FlaskClient],
    desk: FlaskClient,
    client: FlaskClient,
    clock: ManualClock,
) -> None:
    patron = member(client)
    assert change(desk, patron, library_email=NEW).status_code == 303
    first = mailed_path("confirm_library_email", LINK)
    assert change(desk, patron, phone="0599 123456").status_code == 303  # in time: no new link
    assert mails("confirm_library_email") == 1
    assert "wacht op bevestiging" in screen(desk, patron.customer_number)
    clock.advance(timedelta(hours=24, seconds=1))
    assert client.get(first).status_code == 410
    desk = desk_session(app, new_browser(), "collega")  # the morning's session has ended
    shown = screen(desk, patron.customer_number)
    assert f"Nieuw e-mailadres {NEW}: de link om het te bevestigen is verlopen" in shown
    page = text_of(desk.get(page_of(patron)).get_data(as_text=True))
    assert "De link om dit adres te bevestigen is verlopen" in page
    resent = change(desk, patron)  # the waiting address, as shown, saved again
    assert resent.status_code == 303
    assert mails("confirm_library_email") == 2
    assert "een nieuwe is daarheen gemaild" in screen(desk, patron.customer_number)
    (entry,) = [e for e in entries(db.session, patron_id=patron.id) if e.action == LINK_SENT]
    assert (entry.staff_username, entry.before, entry.after) == (
        "collega",
        None,
        {"mailed_to": NEW},
    )
    assert "wacht op bevestiging" in screen(desk, patron.customer_number)
    assert change(desk, patron).status_code == 303  # the new link works: not again
    assert mails("confirm_library_email") == 2
    link = mailed_path("confirm_library_email", LINK)
    html = client.get(link).get_data(as_text=True)
    client.post(link, data={"csrf_token": csrf_token_in(html)})
    assert stored(patron).library_email == NEW


def test_a_confirmation_does_not_overwrite_a_new_address_the_desk_saved_meanwhile(
    app: Flask, desk: FlaskClient, client: FlaskClient
) -> None:
    patron = member(client)
    old = patron.library_email
    assert change(desk, patron, library_email="a@example.org").status_code == 303
    token = make_token(
        app.config["SECRET_KEY"],
        CONFIRM_LIBRARY_EMAIL,
        {"patron": patron.id, "email": "a@example.org"},
        now(),
    )
    read = stored(patron)  # the confirmation has read the record
    assert read.pending_library_email == "a@example.org"
    with Session(db.engine) as desk_process:  # the desk saves another new address meanwhile
        desk_process.execute(
            update(Patron)
            .where(Patron.id == patron.id)
            .values(pending_library_email="b@example.org")
        )
        desk_process.commit()
    with pytest.raises(DomainError) as refused:
        confirm_library_email(db.session, app.config["SECRET_KEY"], token, now())
    assert refused.value.code == "email_changed"
    db.session.rollback()
    saved = stored(patron)
    assert (saved.library_email, saved.pending_library_email) == (old, "b@example.org")
    assert saved.login_account.email == old


def test_an_emptied_address_that_the_login_also_has_keeps_getting_mail_and_all_say_so(
    desk: FlaskClient, client: FlaskClient
) -> None:
    patron = member(client)
    html = text_of(desk.get(page_of(patron)).get_data(as_text=True))
    assert (
        "Leeg: de bibliotheek mailt dan het adres van het inlogaccount, marieke@example.nl" in html
    )
    assert change(desk, patron, library_email="").status_code == 303
    assert patron_email(stored(patron)) == "marieke@example.nl"
    shown = screen(desk, patron.customer_number)
    assert "De bibliotheek mailt het adres van het inlogaccount, marieke@example.nl." in shown
    told = mail_text("library_email_changed")
    assert "Het is nog het adres van je inlogaccount" in told
    assert "mailt je hier niet meer" not in told


def test_an_emptied_address_without_a_login_stops_the_mail_and_all_say_so(
    desk: FlaskClient,
) -> None:
    patron = create_patron(db.session, None, now(), subscription="0045")
    db.session.commit()
    html = text_of(desk.get(page_of(patron)).get_data(as_text=True))
    assert "Leeg: de bibliotheek mailt de klant dan niet meer." in html
    assert change(desk, patron, library_email="").status_code == 303
    assert patron_email(stored(patron)) is None
    assert "De bibliotheek mailt de klant niet meer." in screen(desk, patron.customer_number)
    assert "inlogaccount" not in mail_text("library_email_changed")
