"""What keeps the desk's login actions safe: a one-time password lets nobody in at the kiosk
before it is changed, and works on a login whose address was never confirmed; a login is
linked only to the same person; a blocked login gets no mail and sets no password; forgetting
and blocking are confirmed first; two desks at once make one login and send one mail."""

from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select

from portal.extensions import db
from portal.wiring import mail_settings, now
from shared.clock import ManualClock
from shared.db import lock_row
from shared.desk import logins
from shared.errors import DomainError
from shared.models.account import AccountStatus, LoginAccount
from shared.models.audit import AuditEntry
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from shared.refusals import REFUSALS
from tests.functional.portal.test_desk_logins import (
    CHANGE_PASSWORD,
    NEW_PASSWORD,
    audit_of,
    change_own_password,
    desk,  # noqa: F401
    flashed,
    link_in,
    login_of,
    new_patron,
    one_time_password,
    page,
    patron_with_login,
    press,
    send_form,
    shown_password,
    smtp,  # noqa: F401
)
from tests.support.accounts import first_login, log_in
from tests.support.factories import create_account, create_patron
from tests.support.kiosk_api import KioskApi
from tests.support.kiosk_collect import log_in_at_kiosk, said
from tests.support.signup import csrf_token, csrf_token_in
from tests.support.staff import (
    SECOND_STEP,
    authenticator_of,
    code_at,
    desk_session,
    text_of,
    type_code,
)
from tests.support.threads import started_waiting


def test_the_kiosk_refuses_a_one_time_password_until_the_patron_chose_their_own(
    desk: FlaskClient,  # noqa: F811
    kiosk: KioskApi,
    kiosk_app: Flask,
    new_browser: Callable[[], FlaskClient],
) -> None:
    patron = patron_with_login()
    password = one_time_password(desk, patron)
    number = patron.temporary_number
    refused = kiosk.identify(method="password", login=number, password=password)
    assert refused.status_code == 422 and refused.json == {"error": "password_not_chosen"}
    at_kiosk = log_in_at_kiosk(kiosk_app.test_client(), number, password)
    message = said(kiosk_app, REFUSALS["password_not_chosen"].message)
    assert "website" in message and message != REFUSALS["password_not_chosen"].message
    assert at_kiosk.status_code == 422 and str(escape(message)) in at_kiosk.get_data(True)
    browser = new_browser()
    assert log_in(browser, number, password).status_code == 303
    assert change_own_password(browser, password, CHANGE_PASSWORD).status_code == 303
    chosen = kiosk.identify(method="password", login=number, password=NEW_PASSWORD)
    assert chosen.status_code == 200 and chosen.json["proof"] == "password"
    made_here = new_patron()  # a login the desk made without e-mail: set up on the website
    password = one_time_password(desk, made_here)
    refused = kiosk.identify(method="password", login=made_here.temporary_number, password=password)
    assert refused.json == {"error": "password_not_chosen"}


def test_a_one_time_password_confirms_an_unconfirmed_login_without_its_address(
    desk: FlaskClient,  # noqa: F811
    new_browser: Callable[[], FlaskClient],
) -> None:
    patron = new_patron(create_account(db.session, now(), confirmed=False))  # signed up online
    address = login_of(patron).email
    form = text_of(desk.get(page(patron, "eenmalig-wachtwoord")).get_data(as_text=True))
    assert "niet bevestigd" in form and address in form
    shown = send_form(desk, patron, "eenmalig-wachtwoord").get_data(as_text=True)
    assert f"{address} is eruit gehaald" in text_of(shown)
    assert "geeft de klant ook een e-mailadres" in text_of(shown)
    password = shown_password(shown)
    account = login_of(patron)
    assert account.email is None and account.confirmed_at == now()
    assert account.password_must_change
    (entry,) = audit_of(patron, "login.password_set")
    assert entry.before["email"] == address and entry.before["confirmed"] is False
    assert entry.after["email"] is None and entry.after["confirmed"] is True
    browser = new_browser()
    assert log_in(browser, patron.temporary_number, password).location == "/eerste-keer"
    assert first_login(browser, patron, "echt@example.nl", NEW_PASSWORD) == "/mijn-account"
    assert browser.get("/mijn-account").status_code == 200
    account = login_of(patron)
    assert not account.password_must_change and account.pending_email == "echt@example.nl"


def test_a_mailed_login_whose_mail_never_arrived_gets_going_with_a_one_time_password(
    desk: FlaskClient,  # noqa: F811
    new_browser: Callable[[], FlaskClient],
    smtp: Callable[[], list],  # noqa: F811
) -> None:
    patron = new_patron()
    send_form(desk, patron, "nieuw", email="typo@exmaple.nl")
    (mail,) = smtp()
    password = one_time_password(desk, patron)
    browser = new_browser()
    assert log_in(browser, patron.temporary_number, password).location == "/eerste-keer"
    stale = browser.get(link_in(mail, "/wachtwoord-herstellen/"))
    assert stale.status_code == 410  # the link to the mistyped address sets nothing now
    assert first_login(browser, patron, "goed@example.nl", NEW_PASSWORD) == "/mijn-account"


def namesake(of: Patron, prefix: str, surname: str) -> Patron:
    """A record of the same birth date with these names, without a login (a guest, a move)."""
    patron = create_patron(
        db.session, None, now(), birth_date=of.birth_date, names=("M.", prefix, surname, "")
    )
    db.session.commit()
    return patron


def find(desk: FlaskClient, patron: Patron, login: str) -> str:  # noqa: F811
    """Find a login to link on the patron's link page; the page."""
    return send_form(desk, patron, "koppelen", **{"find-login": login}).get_data(as_text=True)


def confirm_link(desk: FlaskClient, patron: Patron, found: str, account_id: int) -> str:  # noqa: F811
    """Press the link button of the page that found the login; the flashed answer."""
    data = {"link-csrf_token": csrf_token_in(found), "link-account": str(account_id)}
    return flashed(desk, desk.post(page(patron, "koppelen"), data=data))


def test_the_link_page_shows_whose_login_it_is_and_links_the_same_person_only(
    app: Flask,
    desk: FlaskClient,  # noqa: F811
    new_browser: Callable[[], FlaskClient],
) -> None:
    home = new_patron(create_account(db.session, now(), confirmed=True))
    home.prefix, home.surname = "van", "Dijk-Ösel"
    db.session.commit()
    account = login_of(home)
    stranger = new_patron()
    found = find(desk, stranger, account.username)
    assert "iemand anders" in text_of(found) and "Ösel" not in text_of(found)
    assert "link-account" not in found
    forged = desk.get(page(stranger, "koppelen"))
    assert "iemand anders" in confirm_link(desk, stranger, forged.get_data(True), account.id)
    assert login_of(stranger) is None and not audit_of(stranger, "login.linked")
    guest = namesake(home, "", "osel")  # the second part of the double name, folded
    found = find(desk, guest, account.username)
    shown = text_of(found)
    assert f"M. van Dijk-Ösel 15-04-1985 {home.temporary_number}" in shown
    assert 'id="link-warning"' not in found
    assert "dient nu ook deze klant" in confirm_link(desk, guest, found, account.id)
    assert login_of(guest) == account and audit_of(guest, "login.linked")[0].after["same_person"]
    coordinator = desk_session(app, new_browser(), "hoofd", "coordinator")
    found = find(coordinator, stranger, account.username)
    assert 'id="link-warning"' in found and home.temporary_number in text_of(found)
    assert "dient nu ook deze klant" in confirm_link(coordinator, stranger, found, account.id)
    (entry,) = audit_of(stranger, "login.linked")
    assert entry.after["same_person"] is False and entry.after["records_served"] == 3


def test_a_blocked_login_gets_no_mail_and_sets_no_password(
    client: FlaskClient,
    desk: FlaskClient,  # noqa: F811
    smtp: Callable[[], list],  # noqa: F811
) -> None:
    patron = new_patron()
    send_form(desk, patron, "nieuw", email="")
    (made,) = smtp()
    press(desk, patron, "blokkeren")
    assert login_of(patron).status == AccountStatus.BLOCKED
    screen = desk.get(f"/balie/klanten/{patron.temporary_number}").get_data(as_text=True)
    assert page(patron, "bevestiging") not in screen
    assert "krijgt geen mail" in flashed(desk, press(desk, patron, "bevestiging"))
    for path in ("/wachtwoord-vergeten", "/bevestiging-opnieuw"):
        token = csrf_token(client.get(path))
        answer = client.post(path, data={"csrf_token": token, "login": patron.temporary_number})
        assert answer.status_code == 200, path
    assert len(smtp()) == 1  # nothing more went out
    path = link_in(made, "/wachtwoord-herstellen/")
    assert client.get(path).status_code == 410
    fields = {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    refused = client.post(path, data={"csrf_token": csrf_token(client.get("/inloggen")), **fields})
    assert refused.status_code == 410 and "geblokkeerd" in text_of(refused.get_data(as_text=True))
    assert login_of(patron).password_must_change and not audit_of(patron, "login.mail_sent")


def test_the_resend_waits_15_minutes_after_the_last_mail(
    app: Flask,
    clock: ManualClock,
    new_browser: Callable[[], FlaskClient],
    smtp: Callable[[], list],  # noqa: F811
) -> None:
    desk = desk_session(app, new_browser())  # noqa: F811
    patron = new_patron()
    send_form(desk, patron, "nieuw", email="")
    clock.advance(timedelta(minutes=14, seconds=59))
    refused = flashed(desk, press(desk, patron, "bevestiging"))
    assert "minder dan 15 minuten geleden" in refused and "na " in refused
    clock.advance(timedelta(seconds=1))
    desk = desk_session(app, new_browser(), "balie2")
    assert "opnieuw gestuurd" in flashed(desk, press(desk, patron, "bevestiging"))
    clock.advance(timedelta(minutes=14))
    assert "minder dan 15 minuten" in flashed(desk, press(desk, patron, "bevestiging"))
    assert len(smtp()) == 2 and len(audit_of(patron, "login.mail_sent")) == 1


def test_making_a_mailed_login_asks_for_a_fresh_code(
    desk: FlaskClient,  # noqa: F811
    clock: ManualClock,
) -> None:
    patron = new_patron()
    form = desk.get(page(patron, "nieuw"))
    clock.advance(timedelta(minutes=5, seconds=1))
    asked = desk.post(page(patron, "nieuw"), data={"csrf_token": csrf_token(form), "email": ""})
    assert asked.status_code == 302 and asked.location.startswith(SECOND_STEP)
    assert login_of(patron) is None
    back = type_code(desk, code_at(authenticator_of("balie")), asked.location)
    assert back.location == page(patron, "nieuw")


def test_forgetting_and_blocking_are_confirmed_on_a_page_of_their_own(
    desk: FlaskClient,  # noqa: F811
) -> None:
    patron = patron_with_login()
    username = login_of(patron).username
    screen = desk.get(f"/balie/klanten/{patron.temporary_number}").get_data(as_text=True)
    for action, button in (("blokkeren", "Inlogaccount blokkeren"), ("vergeten", "vergeten")):
        assert f'href="{page(patron, action)}"' in screen
        assert f'action="{page(patron, action)}"' not in screen  # no one-click form
        asked = desk.get(page(patron, action)).get_data(as_text=True)
        assert username in text_of(asked) and 'method="post"' in asked and button in asked
        assert 'type="submit" class="button-primary" aria-describedby=' in asked
    account = login_of(patron)
    assert account.status == AccountStatus.ACTIVE and not audit_of(patron, "login.blocked")
    assert "is geblokkeerd" in flashed(desk, press(desk, patron, "blokkeren"))
    assert "verwijderd" in flashed(desk, press(desk, patron, "vergeten"))
    no_login = desk.get(page(patron, "vergeten"))
    assert "heeft geen inlogaccount" in flashed(desk, no_login)


def at_the_same_time(
    portal_instance: Callable[..., Flask], patron: Patron, action: Callable[[Patron], object]
) -> list[str]:
    """Run the action twice at once, on two portal instances, while this test holds the
    patron's row; "done" or the code each was refused with."""
    outcomes: list[str] = []

    other_portal = portal_instance()  # before the threads (tests/support/threads.py says why)

    def there() -> None:
        with other_portal.app_context():
            try:
                action(db.session.get_one(Patron, patron.id))
                db.session.commit()
                outcomes.append("done")
            except DomainError as error:
                outcomes.append(error.code)
            db.session.remove()

    lock_row(db.session, Patron, patron.id)
    threads = started_waiting(there, count=2)
    db.session.rollback()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_desks_at_once_make_one_login_and_send_one_mail(
    app: Flask,
    desk: FlaskClient,  # noqa: F811
    portal_instance: Callable[..., Flask],
    clock: ManualClock,
) -> None:
    staff_id = db.session.scalars(
        select(LoginAccount.id).where(LoginAccount.username == "balie")
    ).one()
    patron = new_patron()

    def make(patron: Patron) -> object:
        staff = db.session.get_one(LoginAccount, staff_id)
        return logins.make_mailed_login(db.session(), staff, patron, "", mail_settings(), now())

    assert at_the_same_time(portal_instance, patron, make) == ["done", "has_login"]
    assert len(audit_of(patron, "login.created")) == 1
    clock.advance(timedelta(minutes=15))

    def resend(patron: Patron) -> object:
        staff = db.session.get_one(LoginAccount, staff_id)
        return logins.send_confirmation_again(db.session(), staff, patron, mail_settings(), now())

    assert at_the_same_time(portal_instance, patron, resend) == ["done", "mail_sent_recently"]
    db.session.expire_all()
    mails = select(func.count()).where(OutboxMail.patron_id == patron.id)
    assert db.session.scalar(mails) == 2
    entries = select(func.count()).where(AuditEntry.action == "login.mail_sent")
    assert db.session.scalar(entries) == 1
