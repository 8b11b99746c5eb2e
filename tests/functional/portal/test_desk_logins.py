"""Patrons' login accounts at the desk (/balie/klanten/<number>/inlogaccount/…), through HTTP:
make one and mail the patron (delivered by a real SMTP server), send its mail again, hand over a
one-time password that must be changed at the next login (patron and staff alike, single sign-on
too), forget, link, block and unblock; each with its audit entry, its refusals and who may."""

import json
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import quote

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.wiring import now
from shared.accounts.staff import find_by_username
from shared.clock import ManualClock
from shared.desk.audit import entries
from shared.mail.transport import SmtpTransport
from shared.mail.worker import send_pending_committing
from shared.models.account import AccountStatus, LoginAccount
from shared.models.audit import AuditEntry
from shared.models.oidc import OidcToken
from shared.models.patron import Patron
from tests.support.accounts import create_staff, log_in
from tests.support.factories import PASSWORD, create_account, create_patron
from tests.support.oidc import add_service, authorize_url, redirect_params, tokens_for
from tests.support.servers import free_port
from tests.support.signup import csrf_token, csrf_token_in
from tests.support.smtp import RecordingHandler, start_smtp
from tests.support.staff import (
    CHANGE_PASSWORD,
    SECOND_STEP,
    code_at,
    desk_session,
    text_of,
    type_code,
)

NEW_PASSWORD = "Negen groene kikkers in de sloot"


@pytest.fixture
def desk(app: Flask, new_browser: Callable[[], FlaskClient]) -> FlaskClient:
    """A browser in which a desk member ("balie") logged in."""
    return desk_session(app, new_browser())


@pytest.fixture
def smtp() -> Iterator[Callable[[], list[EmailMessage]]]:
    """A real SMTP server; calling the fixture sends the outbox to it and gives what arrived."""
    handler, port = RecordingHandler(), free_port()
    controller = start_smtp(handler, port)
    transport = SmtpTransport.from_url(f"smtp://127.0.0.1:{port}?timeout=5")

    def delivered() -> list[EmailMessage]:
        send_pending_committing(db.session, transport, now=now())
        return [
            message_from_bytes(envelope.content, policy=policy.default)
            for envelope in handler.envelopes
        ]

    yield delivered
    controller.stop()


def new_patron(account: LoginAccount | None = None) -> Patron:
    """A patron with Basis from today (library e-mail patron<n>@example.nl)."""
    patron = create_patron(db.session, account, now(), subscription="0045")
    db.session.commit()
    return patron


def patron_with_login(**account: bool) -> Patron:
    """A patron whose confirmed login has the password PASSWORD."""
    return new_patron(create_account(db.session, now(), confirmed=True, **account))


def page(patron: Patron, action: str) -> str:
    """The address of one of the login account's pages or actions."""
    return f"/balie/klanten/{patron.temporary_number}/inlogaccount/{action}"


def press(desk: FlaskClient, patron: Patron, action: str, **fields: str) -> TestResponse:
    """Press a button of the patron screen's login section (its CSRF token from the screen)."""
    screen = desk.get(f"/balie/klanten/{patron.temporary_number}")
    return desk.post(page(patron, action), data={"csrf_token": csrf_token(screen), **fields})


def send_form(desk: FlaskClient, patron: Patron, action: str, **fields: str) -> TestResponse:
    """Open a login account page and send its form."""
    token = csrf_token(desk.get(page(patron, action)))
    return desk.post(page(patron, action), data={"csrf_token": token, **fields})


def flashed(desk: FlaskClient, response: TestResponse) -> str:
    """The text of the page a 303 leads to (with its flashed message)."""
    assert response.status_code == 303, response.get_data(as_text=True)
    return text_of(desk.get(response.location).get_data(as_text=True))


def login_of(patron: Patron) -> LoginAccount | None:
    """The patron's login as stored now."""
    db.session.expire_all()
    return db.session.get_one(Patron, patron.id).login_account


def audit_of(patron: Patron, action: str) -> list[AuditEntry]:
    """The patron's audit entries of this action, the newest first."""
    db.session.expire_all()
    return [entry for entry in entries(db.session, patron.id) if entry.action == action]


def link_in(message: EmailMessage, prefix: str) -> str:
    """The path of the link in a mail's text that starts with `prefix`."""
    text = message.get_body(("plain",)).get_content()
    match = re.search(rf"https?://[^/\s]+({re.escape(prefix)}\S+)", text)
    assert match, text
    return match[1]


def test_the_desk_makes_a_login_and_mails_the_patron_a_link_to_choose_a_password(
    desk: FlaskClient, new_browser: Callable[[], FlaskClient], smtp: Callable[[], list]
) -> None:
    patron = new_patron()
    screen = desk.get(f"/balie/klanten/{patron.temporary_number}").get_data(as_text=True)
    assert "Inlogaccount aanmaken en de klant mailen" in text_of(screen)
    form = desk.get(page(patron, "nieuw")).get_data(as_text=True)
    assert f'value="{patron.library_email}"' in form
    wrong = send_form(desk, patron, "nieuw", email="geen-adres")
    assert wrong.status_code == 200 and login_of(patron) is None
    assert 'aria-describedby="email-hint email-error"' in wrong.get_data(as_text=True)
    done = send_form(desk, patron, "nieuw", email="Nieuw.Adres@Example.nl")
    assert "nieuw.adres@example.nl krijgt de link" in flashed(desk, done).lower()
    account = login_of(patron)
    assert account is not None and account.username == patron.temporary_number
    assert account.password_must_change and account.confirmed_at is None
    again = send_form(desk, patron, "nieuw", email="ander@example.nl")
    assert "heeft al een inlogaccount" in text_of(again.get_data(as_text=True))
    (entry,) = audit_of(patron, "login.created")
    assert entry.before == {"login": None}
    assert entry.after["email"] == "Nieuw.Adres@example.nl" and entry.after["confirmed"] is False
    (mail,) = smtp()
    assert mail["To"] == "Nieuw.Adres@example.nl" and patron.temporary_number in str(mail)
    browser = new_browser()
    path = link_in(mail, "/wachtwoord-herstellen/")
    token = csrf_token(browser.get(path))
    fields = {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    assert browser.post(path, data={"csrf_token": token, **fields}).status_code == 303
    assert log_in(browser, patron.temporary_number, NEW_PASSWORD).location == "/mijn-account"
    account = login_of(patron)
    assert account and account.confirmed_at and not account.password_must_change


def test_the_record_s_library_e_mail_serves_when_none_is_typed(desk: FlaskClient) -> None:
    patron = new_patron()
    send_form(desk, patron, "nieuw", email="")
    account = login_of(patron)
    assert account is not None and account.email == patron.library_email
    patron = new_patron()
    patron.library_email = ""
    db.session.commit()
    refused = send_form(desk, patron, "nieuw", email="")
    assert "geen e-mailadres in het klantrecord" in text_of(refused.get_data(as_text=True))
    assert login_of(patron) is None and not audit_of(patron, "login.created")


def test_the_confirmation_mail_is_sent_again_15_minutes_after_the_last(
    app: Flask,
    clock: ManualClock,
    new_browser: Callable[[], FlaskClient],
    smtp: Callable[[], list],
) -> None:
    desk = desk_session(app, new_browser())
    patron = new_patron()
    send_form(desk, patron, "nieuw", email="")
    assert "minder dan 15 minuten geleden" in flashed(desk, press(desk, patron, "bevestiging"))
    clock.advance(timedelta(minutes=15))
    desk = desk_session(app, new_browser(), "balie2")
    sent = press(desk, patron, "bevestiging")
    assert f"opnieuw gestuurd naar {patron.library_email}" in flashed(desk, sent)
    refused = press(desk, patron, "bevestiging")
    assert "minder dan 15 minuten geleden verstuurd" in flashed(desk, refused)
    (entry,) = audit_of(patron, "login.mail_sent")
    assert entry.after["mail"] == "login" and entry.after["mailed_to"] == patron.library_email
    clock.advance(timedelta(minutes=15))
    desk = desk_session(app, new_browser(), "balie3")
    assert press(desk, patron, "bevestiging").status_code == 303
    mails = smtp()
    assert len(mails) == 3  # made, and twice again
    paths = {link_in(mail, "/wachtwoord-herstellen/") for mail in mails}
    assert len(paths) == 3 and len(audit_of(patron, "login.mail_sent")) == 2


def test_a_new_address_is_asked_to_confirm_again_and_a_confirmed_login_is_not(
    desk: FlaskClient, smtp: Callable[[], list]
) -> None:
    patron = patron_with_login()
    refused = press(desk, patron, "bevestiging")
    assert "zijn al bevestigd" in flashed(desk, refused)
    assert not audit_of(patron, "login.mail_sent")
    account = login_of(patron)
    assert account is not None
    account.pending_email = "verhuisd@example.nl"
    db.session.commit()
    assert press(desk, patron, "bevestiging").status_code == 303
    (mail,) = smtp()
    assert mail["To"] == "verhuisd@example.nl"
    link_in(mail, "/bevestigen/nieuw-e-mailadres/")
    (entry,) = audit_of(patron, "login.mail_sent")
    assert entry.before["pending_email"] == "verhuisd@example.nl" and entry.after["mail"] == "email"


def one_time_password(desk: FlaskClient, patron: Patron) -> str:
    """Give the patron a one-time password at the desk; the password the page shows once."""
    response = send_form(desk, patron, "eenmalig-wachtwoord")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return shown_password(response.get_data(as_text=True))


def shown_password(html: str) -> str:
    """The one-time password a page shows."""
    shown = re.search(r'<code class="one-time-password">([^<]+)</code>', html)
    assert shown, html
    return shown[1]


def change_own_password(browser: FlaskClient, current: str, path: str) -> TestResponse:
    """Send the password page's form (at `path`, with its `next`)."""
    token = csrf_token(browser.get(path))
    fields = {"current_password": current, "password": NEW_PASSWORD}
    return browser.post(
        path, data={"csrf_token": token, **fields, "password_confirm": NEW_PASSWORD}
    )


def signed_on(
    app: Flask, browser: FlaskClient
) -> tuple[Patron, LoginAccount, dict[str, str], FlaskClient, str]:
    """A patron logged in on `browser` and signed on to a service; the patron, the login, the
    service, the browser and the service's access token."""
    patron = patron_with_login()
    account = login_of(patron)
    assert account is not None
    service = add_service(app)
    assert log_in(browser, account.username, PASSWORD).status_code == 303
    return patron, account, service, browser, tokens_for(browser, service)["access_token"]


def test_a_one_time_password_is_changed_before_anything_else_single_sign_on_too(
    app: Flask, desk: FlaskClient, new_browser: Callable[[], FlaskClient]
) -> None:
    patron, account, service, browser, _access = signed_on(app, new_browser())
    password = one_time_password(desk, patron)
    assert db.session.scalar(select(OidcToken).where(OidcToken.account_id == account.id)) is None
    assert browser.get("/mijn-account").location.startswith("/inloggen")  # the old session ended
    (entry,) = audit_of(patron, "login.password_set")
    assert entry.before["password_must_change"] is False and entry.after["password_must_change"]
    assert password not in json.dumps([entry.before, entry.after])
    assert log_in(browser, account.username, password).location == "/mijn-account"
    assert browser.get("/mijn-account").location == f"{CHANGE_PASSWORD}?next=/mijn-account"
    url = authorize_url(service["client_id"])
    to_password = browser.get(url)
    assert to_password.status_code == 303
    assert to_password.location.startswith(f"{CHANGE_PASSWORD}?next=/oidc/authorize")
    silent = redirect_params(browser.get(authorize_url(service["client_id"], prompt="none")))
    assert silent["error"] == "interaction_required" and silent["state"] == "state-123"
    back = change_own_password(browser, password, to_password.location)
    assert back.status_code == 303 and back.location.startswith("/oidc/authorize?")
    assert browser.get("/mijn-account").status_code == 200
    assert not login_of(patron).password_must_change


def test_a_one_time_password_without_a_login_makes_one_whose_first_login_sets_it_up(
    desk: FlaskClient, new_browser: Callable[[], FlaskClient]
) -> None:
    patron = new_patron()
    form = desk.get(page(patron, "eenmalig-wachtwoord")).get_data(as_text=True)
    assert "wordt één keer getoond" in text_of(form)
    password = one_time_password(desk, patron)
    account = login_of(patron)
    assert account is not None and account.email is None
    (entry,) = audit_of(patron, "login.created")
    assert entry.after["login"] == patron.temporary_number
    assert password not in json.dumps([entry.before, entry.after])
    assert log_in(new_browser(), patron.temporary_number, password).location == "/eerste-keer"


def test_a_staff_member_s_one_time_password_is_changed_before_any_page(
    app: Flask, client: FlaskClient
) -> None:
    shown = create_staff(app, "nieuw", "nieuw@example.nl", "desk")
    assert log_in(client, "nieuw", shown["password"]).location == SECOND_STEP
    first = type_code(client, code_at(pyotp.parse_uri(shown["otpauth_uri"])))
    assert first.location == CHANGE_PASSWORD
    assert client.get("/balie/klanten").location == f"{CHANGE_PASSWORD}?next=/balie/klanten"
    assert client.get("/mijn-account").location == f"{CHANGE_PASSWORD}?next=/mijn-account"
    back = change_own_password(client, shown["password"], f"{CHANGE_PASSWORD}?next=/balie/klanten")
    assert back.location == "/balie/klanten"
    assert client.get("/balie/klanten").status_code == 200
    assert not find_by_username(db.session, "nieuw").password_must_change


def test_forgetting_removes_a_login_of_one_record_and_keeps_a_shared_one(
    desk: FlaskClient,
) -> None:
    alone = patron_with_login()
    username = login_of(alone).username
    done = press(desk, alone, "vergeten")
    assert "verwijderd" in flashed(desk, done) and login_of(alone) is None
    assert find_by_username(db.session, username) is None
    (entry,) = audit_of(alone, "login.forgotten")
    assert entry.before["login"] == username and entry.after == {"login": None, "login_kept": False}
    shared = patron_with_login()
    other = new_patron(login_of(shared))
    assert "dient nog een ander klantrecord" in flashed(desk, press(desk, shared, "vergeten"))
    assert login_of(shared) is None and login_of(other) is not None
    assert audit_of(shared, "login.forgotten")[0].after["login_kept"] is True
    again = press(desk, shared, "vergeten")
    assert "heeft geen inlogaccount" in flashed(desk, again)


def test_the_desk_links_an_existing_login_found_by_username_or_e_mail(
    desk: FlaskClient, new_browser: Callable[[], FlaskClient]
) -> None:
    home = patron_with_login()
    account = login_of(home)
    assert account is not None
    guest = create_patron(db.session, None, now(), names=("M.", "", home.surname.upper(), ""))
    db.session.commit()
    not_found = send_form(desk, guest, "koppelen", **{"find-login": "niemand"})
    assert "Geen inlogaccount heeft precies" in text_of(not_found.get_data(as_text=True))
    found = send_form(desk, guest, "koppelen", **{"find-login": account.email.upper()})
    html = found.get_data(as_text=True)
    assert account.username in text_of(html) and login_of(guest) is None
    confirm = {"link-csrf_token": csrf_token_in(html), "link-account": str(account.id)}
    linked = desk.post(page(guest, "koppelen"), data=confirm)
    assert f"{account.username} dient nu ook deze klant" in flashed(desk, linked)
    assert login_of(guest) == login_of(home)
    (entry,) = audit_of(guest, "login.linked")
    assert entry.before["records_served"] == 1 and entry.after["records_served"] == 2
    again = desk.post(page(guest, "koppelen"), data=confirm)
    assert "heeft al een inlogaccount" in flashed(desk, again)
    assert len(audit_of(guest, "login.linked")) == 1
    browser = new_browser()
    log_in(browser, account.username, PASSWORD)
    assert guest.surname in text_of(browser.get("/mijn-account").get_data(as_text=True))


def test_linking_is_refused_for_a_staff_login_a_patron_with_a_login_and_a_shared_address(
    desk: FlaskClient,
) -> None:
    guest = new_patron()
    staff = send_form(desk, guest, "koppelen", **{"find-login": "balie"})
    assert "medewerkersaccount" in text_of(staff.get_data(as_text=True))
    staff_id = find_by_username(db.session, "balie").id
    token = csrf_token(desk.get(page(guest, "koppelen")))
    forged = {"link-csrf_token": token, "link-account": str(staff_id)}
    assert desk.post(page(guest, "koppelen"), data=forged).status_code == 403
    assert login_of(guest) is None
    family = [create_account(db.session, now(), confirmed=True) for _ in range(2)]
    for account in family:
        account.email = "gezin@example.nl"
    db.session.commit()
    shared = send_form(desk, guest, "koppelen", **{"find-login": "gezin@example.nl"})
    assert "typ de gebruikersnaam" in text_of(shared.get_data(as_text=True))
    has_one = patron_with_login()
    refused = send_form(desk, has_one, "koppelen", **{"find-login": family[0].username})
    assert "heeft al een inlogaccount" in text_of(refused.get_data(as_text=True))
    assert not audit_of(guest, "login.linked") and not audit_of(has_one, "login.linked")


def test_a_blocked_login_logs_in_nowhere_until_unblocked(
    app: Flask, desk: FlaskClient, new_browser: Callable[[], FlaskClient]
) -> None:
    patron, account, service, browser, access = signed_on(app, new_browser())
    assert "is geblokkeerd" in flashed(desk, press(desk, patron, "blokkeren"))
    assert login_of(patron).status == AccountStatus.BLOCKED
    assert browser.get("/mijn-account").location.startswith("/inloggen")
    auth = {"Authorization": f"Bearer {access}"}
    assert browser.get("/oidc/userinfo", headers=auth).status_code == 401
    to_login = browser.get(authorize_url(service["client_id"]))
    assert to_login.location.startswith("/inloggen?next=/oidc/authorize")
    refused = log_in(browser, account.username, PASSWORD)
    assert "geblokkeerd" in text_of(refused.get_data(as_text=True))
    assert "is al geblokkeerd" in flashed(desk, press(desk, patron, "blokkeren"))
    (entry,) = audit_of(patron, "login.blocked")
    assert entry.before["status"] == "active" and entry.after["status"] == "blocked"
    assert "kan weer inloggen" in flashed(desk, press(desk, patron, "deblokkeren"))
    assert log_in(browser, account.username, PASSWORD).location == "/mijn-account"
    (entry,) = audit_of(patron, "login.unblocked")
    assert entry.before["status"] == "blocked" and entry.after["status"] == "active"
    assert "is niet geblokkeerd" in flashed(desk, press(desk, patron, "deblokkeren"))


ACTIONS = ("bevestiging", "vergeten", "blokkeren", "deblokkeren")
PAGES = ("nieuw", "koppelen", "eenmalig-wachtwoord")


def test_a_staff_login_on_a_patron_record_is_never_changed_from_the_patron_screen(
    app: Flask, desk: FlaskClient
) -> None:
    create_staff(app, "collega", "collega@example.nl", "desk")
    colleague = find_by_username(db.session, "collega")
    patron = new_patron(colleague)
    screen = desk.get(f"/balie/klanten/{patron.temporary_number}").get_data(as_text=True)
    assert "medewerkersaccount" in text_of(screen) and page(patron, "vergeten") not in screen
    for action in (*ACTIONS, "eenmalig-wachtwoord"):
        assert press(desk, patron, action).status_code == 403, action
    for action in ("eenmalig-wachtwoord", "vergeten", "blokkeren"):
        assert desk.get(page(patron, action)).status_code == 403, action
    db.session.expire_all()
    assert find_by_username(db.session, "collega").status == AccountStatus.ACTIVE
    assert login_of(patron) is not None and not audit_of(patron, "login.forgotten")


def test_a_patron_s_login_gets_403_on_every_desk_login_page(client: FlaskClient) -> None:
    patron = patron_with_login()
    log_in(client, login_of(patron).username, PASSWORD)
    token = csrf_token(client.get("/mijn-account/wachtwoord"))
    for action in PAGES:
        assert client.get(page(patron, action)).status_code == 403, action
    for action in (*ACTIONS, *PAGES):
        response = client.post(page(patron, action), data={"csrf_token": token})
        assert response.status_code == 403, action
    assert login_of(patron).status == AccountStatus.ACTIVE
    assert db.session.scalar(select(AuditEntry).limit(1)) is None


def test_a_visitor_is_sent_to_the_login(client: FlaskClient) -> None:
    patron = new_patron()
    for action in PAGES:
        response = client.get(page(patron, action))
        assert response.location.startswith(
            f"/inloggen?next={quote(page(patron, action), safe='')}"
        )
