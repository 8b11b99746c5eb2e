"""Changing a patron's data at the desk (/balie/klanten/<number>/gegevens): each group of fields
with its audit entry, the signup's checks at their fields, the search following a new name, a
new e-mail address used only once the patron confirms it (through a real SMTP server), a change
made meanwhile never overwritten, and who may do it."""

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.wiring import mail_settings, now
from shared.accounts.staff import find_by_username
from shared.clock import ManualClock
from shared.desk.audit import entries
from shared.desk.patron_data import CHANGED, change_patron_data, data_of, fingerprint
from shared.errors import DomainError
from shared.mail.transport import SmtpTransport
from shared.mail.worker import send_pending_committing
from shared.models.mail import OutboxMail
from shared.models.patron import Gender, Patron
from shared.timeutil import local_today
from tests.support.accounts import create_staff, log_in, mailed_path, member
from tests.support.dates import years_before
from tests.support.factories import create_patron
from tests.support.servers import free_port
from tests.support.signup import csrf_token_in
from tests.support.smtp import RecordingHandler, start_smtp
from tests.support.staff import desk_session, screen, text_of


@pytest.fixture
def desk(app: Flask, new_browser: Callable[[], FlaskClient]) -> FlaskClient:
    """A browser in which a desk member ("balie") logged in."""
    return desk_session(app, new_browser())


@pytest.fixture
def patron() -> Patron:
    """A patron (M. Hoekstra, Dijkhuizen 12, Ruinerwold) with a Basis subscription."""
    names = ("M.", "", "Hoekstra", "Mieke")
    patron = create_patron(db.session, None, now(), subscription="0045", names=names)
    db.session.commit()
    return patron


def page_of(patron: Patron) -> str:
    """The address of the patron's data page."""
    return f"/balie/klanten/{patron.customer_number}/gegevens"


TEXT_INPUT = re.compile(
    r'<input [^>]*\bname="([\w-]+)"[^>]*\btype="(?:text|email|tel|hidden)"[^>]*\bvalue="([^"]*)"'
)


def shown_form(html: str) -> dict[str, Any]:
    """The values the page's form holds (text inputs, the chosen radio and options, the box)."""
    form: dict[str, Any] = dict(TEXT_INPUT.findall(html))
    (form["language"],) = ticked(html, "language")
    for name in ("country", "branch"):  # a guest's page has no country (their library's)
        if options := re.search(rf'<select [^>]*name="{name}".*?</select>', html, re.S):
            form[name] = re.search(r'<option selected value="([^"]*)"', options[0])[1]
    if ticked(html, "newsletter"):
        form["newsletter"] = "y"
    return form


def ticked(html: str, name: str) -> list[str]:
    """The values of the ticked boxes or chosen radios of this name (attributes in any order)."""
    inputs = re.findall(rf'<input [^>]*\bname="{name}"[^>]*>', html)
    return [
        re.search(r'\bvalue="([^"]*)"', tag)[1] for tag in inputs if re.search(r"\schecked\b", tag)
    ]


def change(browser: FlaskClient, patron: Patron, **changes: str | None) -> TestResponse:
    """Open the page and send its form as shown with these changes (None: a box unticked)."""
    html = browser.get(page_of(patron)).get_data(as_text=True)
    form = {**shown_form(html), **changes, "csrf_token": csrf_token_in(html)}
    data = {name: value for name, value in form.items() if value is not None}
    return browser.post(page_of(patron), data=data)


def stored(patron: Patron) -> Patron:
    """The patron as stored now."""
    db.session.expire_all()
    return db.session.get_one(Patron, patron.id)


def last_change(patron: Patron) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values before and after of the patron's newest `patron.changed` entry."""
    entry = next(e for e in entries(db.session, patron_id=patron.id) if e.action == CHANGED)
    return entry.before or {}, entry.after or {}


def error_at(response: TestResponse, field: str) -> str:
    """The page came back with an error tied to the field; the error's text."""
    html = response.get_data(as_text=True)
    assert response.status_code == 200, response.status_code
    assert re.search(rf'aria-describedby="[^"]*\b{field}-error"', html), html
    found = re.search(rf'<span class="error" id="{field}-error">(.*?)</span>\s*\n', html, re.S)
    assert found, html
    return text_of(found[1])


def test_the_address_and_phone_change_with_only_what_changed_in_the_audit_log(
    desk: FlaskClient, patron: Patron
) -> None:
    html = desk.get(f"/balie/klanten/{patron.customer_number}").get_data(as_text=True)
    assert f'href="{page_of(patron)}"' in html
    new = {"street": "Brink", "house_number": "3a", "postcode": "9401ab", "city": "Assen"}
    response = change(desk, patron, **new, country="NL", phone="0592 123456")
    assert response.status_code == 303 and response.location.endswith(patron.customer_number)
    saved = stored(patron)
    assert (saved.street, saved.house_number, saved.postcode, saved.city) == (
        "Brink",
        "3a",
        "9401 AB",
        "Assen",
    )
    assert saved.phone == "0592 123456"
    before, after = last_change(patron)
    assert before == {
        "street": "Dijkhuizen",
        "house_number": "12",
        "postcode": "7961 AM",
        "city": "Ruinerwold",
        "phone": "",
    }
    assert after == {
        "street": "Brink",
        "house_number": "3a",
        "postcode": "9401 AB",
        "city": "Assen",
        "phone": "0592 123456",
    }
    page = screen(desk, patron.customer_number)
    assert "Brink 3a, 9401 AB Assen" in page
    assert "De gegevens van M. Hoekstra zijn opgeslagen." in page
    abroad = change(desk, patron, country="BE", postcode="2000")  # no Dutch postcode abroad
    assert abroad.status_code == 303 and stored(patron).country == "BE"
    assert last_change(patron) == (
        {"postcode": "9401 AB", "country": "NL"},
        {"postcode": "2000", "country": "BE"},
    )


def test_a_new_name_is_found_by_the_search_and_the_old_one_no_longer(
    desk: FlaskClient, patron: Patron
) -> None:
    old = patron.surname
    assert desk.get(f"/balie/klanten?q={old}").status_code == 303
    names = {"initials": "A.B.", "prefix": "van der", "surname": "Vlugt", "first_name": "Anna"}
    assert change(desk, patron, **names).status_code == 303
    found = desk.get("/balie/klanten?q=anna van der vlugt")
    assert found.status_code == 303 and found.location.endswith(patron.customer_number)
    assert desk.get("/balie/klanten?q=Vlugd").status_code == 303  # one typo away
    assert "Geen klant gevonden" in desk.get(f"/balie/klanten?q={old}").get_data(as_text=True)
    before, after = last_change(patron)
    assert before == {"initials": "M.", "prefix": "", "surname": old, "first_name": "Mieke"}
    assert after == names


def test_branch_language_and_newsletter_change(desk: FlaskClient, patron: Patron) -> None:
    assert change(desk, patron, branch="9401", language="en", newsletter="y").status_code == 303
    saved = stored(patron)
    assert (saved.home_branch.code, saved.locale, saved.newsletter) == ("9401", "en", True)
    assert last_change(patron) == (
        {"branch": "5270", "locale": "nl", "newsletter": False},
        {"branch": "9401", "locale": "en", "newsletter": True},
    )
    assert change(desk, patron, newsletter=None).status_code == 303
    assert not stored(patron).newsletter
    assert last_change(patron) == ({"newsletter": True}, {"newsletter": False})


def test_the_same_details_sent_again_change_nothing_and_record_nothing(
    desk: FlaskClient, patron: Patron
) -> None:
    response = change(desk, patron)
    assert response.status_code == 303
    assert "niets gewijzigd" in screen(desk, patron.customer_number)
    assert not [e for e in entries(db.session, patron_id=patron.id) if e.action == CHANGED]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "79611", "Vul een postcode in, bijvoorbeeld 1234 AB."),
        ("initials", "M1", "Alleen letters, bijvoorbeeld J.M."),
        ("surname", " ", "Dit veld is verplicht."),
        ("street", "x" * 121, "Gebruik hoogstens 120 tekens."),
        ("house_number", "A12", "Begin met het nummer, bijvoorbeeld 12 of 12A."),
        ("phone", "12", "Vul een telefoonnummer in, bijvoorbeeld 0612345678."),
        ("library_email", "nope", "Vul een e-mailadres in, bijvoorbeeld naam@example.nl."),
        ("branch", "9999", "Ongeldige keuze."),
        ("language", "de", "Ongeldige keuze."),
        ("city", "Assen\u202e", "onzichtbare tekens"),
    ],
)
def test_what_the_signup_refuses_is_refused_at_its_field_with_the_signup_words(
    desk: FlaskClient, patron: Patron, field: str, value: str, message: str
) -> None:
    before = data_of(stored(patron))
    assert message in error_at(change(desk, patron, **{field: value}), field)
    assert data_of(stored(patron)) == before


def test_a_member_under_19_keeps_a_first_name_and_one_under_16_gets_no_newsletter(
    desk: FlaskClient, clock: ManualClock
) -> None:
    born = years_before(local_today(clock.now()), 15)
    young = create_patron(
        db.session,
        None,
        now(),
        birth_date=born,
        subscription="jeugd",
        names=("K.", "", "Zandstra", "Kim"),
    )
    db.session.commit()
    refused = change(desk, young, first_name="")
    assert "Vul de voornaam in van een lid onder de 19." in error_at(refused, "first_name")
    too_young = change(desk, young, newsletter="y")
    assert "De nieuwsbrief is voor leden van 16 jaar en ouder." in error_at(too_young, "newsletter")
    assert stored(young).first_name == "Kim" and not stored(young).newsletter


def test_a_member_under_16_who_has_the_newsletter_keeps_it_while_other_details_change(
    desk: FlaskClient, clock: ManualClock
) -> None:
    born = years_before(local_today(clock.now()), 12)
    young = create_patron(
        db.session, None, now(), birth_date=born, subscription="jeugd", names=("K.", "", "Z", "Kim")
    )
    young.newsletter = True  # as the signup and the desk's registration store it, at any age
    db.session.commit()
    assert change(desk, young, city="Assen").status_code == 303
    assert (stored(young).city, stored(young).newsletter) == ("Assen", True)
    assert change(desk, young, newsletter=None).status_code == 303
    too_young = change(desk, young, newsletter="y")
    assert "De nieuwsbrief is voor leden van 16 jaar en ouder." in error_at(too_young, "newsletter")
    assert not stored(young).newsletter


def test_a_patron_with_the_newsletter_keeps_it_when_the_form_is_sent_as_shown(
    desk: FlaskClient, patron: Patron
) -> None:
    patron.newsletter = True
    db.session.commit()
    html = desk.get(page_of(patron)).get_data(as_text=True)
    assert re.search(
        r'<input aria-describedby="newsletter-hint" checked [^>]*name="newsletter"', html
    )
    assert shown_form(html)["newsletter"] == "y"
    assert change(desk, patron, city="Assen").status_code == 303
    assert stored(patron).newsletter and last_change(patron)[1] == {"city": "Assen"}


def test_a_double_click_on_save_says_nothing_changed_the_second_time(
    desk: FlaskClient, patron: Patron
) -> None:
    html = desk.get(page_of(patron)).get_data(as_text=True)
    form = {**shown_form(html), "csrf_token": csrf_token_in(html), "city": "Assen"}
    first, second = desk.post(page_of(patron), data=form), desk.post(page_of(patron), data=form)
    assert first.location.endswith(patron.customer_number)
    assert second.status_code == 303 and second.location.endswith(patron.customer_number)
    assert "niets gewijzigd" in screen(desk, patron.customer_number)
    assert len([e for e in entries(db.session, patron_id=patron.id) if e.action == CHANGED]) == 1


def test_a_change_of_case_in_the_address_is_saved_without_a_confirmation(
    desk: FlaskClient, patron: Patron
) -> None:
    patron.library_email_confirmed_at = now()
    db.session.commit()
    upper = patron.library_email.upper()
    assert change(desk, patron, library_email=upper).status_code == 303
    saved = stored(patron)
    assert (saved.library_email, saved.pending_library_email) == (upper, None)
    assert saved.library_email_confirmed_at is not None
    assert mailed_to("confirm_library_email") is None and mailed_to("library_email_changed") is None


def test_a_refusal_about_no_field_of_the_form_is_tied_to_the_button(
    desk: FlaskClient, patron: Patron
) -> None:
    patron.iban = "NL91ABNA0417164300\u202e"  # an old record's; not changed on this page
    db.session.commit()
    html = change(desk, patron, city="Assen").get_data(as_text=True)
    assert '<span class="error" id="submit-error">' in html
    assert re.search(r'<button [^>]*aria-describedby="submit-error"[^>]*>Wijzigingen opslaan', html)
    assert stored(patron).city == "Ruinerwold"


def test_an_institution_needs_no_initials_or_first_name(desk: FlaskClient) -> None:
    school = create_patron(
        db.session,
        None,
        now(),
        birth_date=date(1980, 1, 1),
        names=("", "", "Obs De Regenboog", ""),
    )
    school.gender = Gender.INSTELLING
    db.session.commit()
    html = desk.get(page_of(school)).get_data(as_text=True)
    assert "Niet nodig bij een instelling." in html
    assert change(desk, school, surname="Obs De Wegwijzer", initials="").status_code == 303
    assert stored(school).surname == "Obs De Wegwijzer"
    person = create_patron(db.session, None, now(), subscription="0045")
    db.session.commit()
    assert "Dit veld is verplicht." in error_at(change(desk, person, initials=""), "initials")


def deliver(handler: RecordingHandler, port: int, clock: ManualClock) -> list[tuple[str, str]]:
    """Send the outbox through the SMTP server; (recipient, subject) of each mail it took."""
    handler.envelopes.clear()
    send_pending_committing(
        db.session, SmtpTransport.from_url(f"smtp://127.0.0.1:{port}"), now=clock.now()
    )
    sent = []
    for envelope in handler.envelopes:
        subject = re.search(rb"^Subject: (.*?)\r?$", envelope.content, re.M)[1].decode()
        sent.extend((to, subject) for to in envelope.rcpt_tos)
    return sent


def forgot_password(client: FlaskClient, login: str) -> None:
    """Ask for a password reset link for this login."""
    html = client.get("/wachtwoord-vergeten").get_data(as_text=True)
    client.post("/wachtwoord-vergeten", data={"csrf_token": csrf_token_in(html), "login": login})


def test_a_new_email_address_is_used_once_the_patron_confirms_it(
    desk: FlaskClient, client: FlaskClient, clock: ManualClock
) -> None:
    patron = member(client)  # marieke@example.nl: the login's and the record's address
    old, new = "marieke@example.nl", "marieke.dijk@example.org"
    handler, port = RecordingHandler(), free_port()
    controller = start_smtp(handler, port)
    try:
        deliver(handler, port, clock)  # the signup's mails
        response = change(desk, patron, library_email=new)
        assert response.status_code == 303
        assert f"{new} wordt gebruikt zodra de klant het bevestigt" in screen(
            desk, patron.customer_number
        )
        saved = stored(patron)
        assert (saved.library_email, saved.pending_library_email) == (old, new)
        assert saved.login_account.email == old
        assert last_change(patron) == (
            {"pending_library_email": None},
            {"pending_library_email": new},
        )
        clock.advance(timedelta(minutes=20))
        forgot_password(client, "marieke85")
        sent = deliver(handler, port, clock)
        assert (new, "Bevestig je e-mailadres voor de Bibliotheek") in sent
        assert (old, "Het e-mailadres van je bibliotheeklidmaatschap wordt gewijzigd") in sent
        assert [to for to, subject in sent if "wachtwoord" in subject.lower()] == [old]
        assert log_in(client, new).status_code == 200  # not yet a login name

        link = mailed_path("confirm_library_email", "/bevestigen/e-mail/")
        page = client.get(link)
        confirmed = client.post(link, data={"csrf_token": csrf_token_in(page.get_data(True))})
        assert confirmed.status_code == 303
        saved = stored(patron)
        assert (saved.library_email, saved.pending_library_email) == (new, None)
        assert saved.library_email_confirmed_at is not None and saved.login_account.email == new
        clock.advance(timedelta(minutes=20))
        forgot_password(client, "marieke85")
        sent = deliver(handler, port, clock)
        assert [to for to, subject in sent if "wachtwoord" in subject.lower()] == [new]
    finally:
        controller.stop()
    client.post("/uitloggen", data={"csrf_token": csrf_token_in(client.get("/").get_data(True))})
    assert log_in(client, new).status_code == 303


def test_typing_the_current_address_back_withdraws_a_new_one_and_its_link(
    desk: FlaskClient, client: FlaskClient, patron: Patron
) -> None:
    current = patron.library_email
    assert change(desk, patron, library_email="nieuw@example.org").status_code == 303
    link = mailed_path("confirm_library_email", "/bevestigen/e-mail/")
    html = desk.get(page_of(patron)).get_data(as_text=True)
    assert 'value="nieuw@example.org"' in html and f"mailt de bibliotheek naar {current}" in html
    assert change(desk, patron, library_email=current).status_code == 303
    assert stored(patron).pending_library_email is None
    assert last_change(patron) == (
        {"pending_library_email": "nieuw@example.org"},
        {"pending_library_email": None},
    )
    assert client.get(link).status_code == 410
    assert stored(patron).library_email == current


def test_an_address_removed_is_removed_at_once_and_told(desk: FlaskClient, patron: Patron) -> None:
    old = patron.library_email
    assert change(desk, patron, library_email="").status_code == 303
    assert stored(patron).library_email == "" and stored(patron).library_email_confirmed_at is None
    assert last_change(patron) == ({"library_email": old}, {"library_email": ""})
    assert mailed_to("library_email_changed") == old


def mailed_to(kind: str) -> str | None:
    """The recipient of the newest mail of this kind."""
    return db.session.scalars(
        select(OutboxMail.to_address).where(OutboxMail.kind == kind).order_by(OutboxMail.id.desc())
    ).first()


def test_a_change_saved_meanwhile_by_someone_else_is_not_overwritten(
    app: Flask, new_browser: Callable[[], FlaskClient], desk: FlaskClient, patron: Patron
) -> None:
    other = desk_session(app, new_browser(), "collega")
    html = desk.get(page_of(patron)).get_data(as_text=True)
    assert change(other, patron, phone="0599 111111").status_code == 303
    form = {**shown_form(html), "csrf_token": csrf_token_in(html), "city": "Assen"}
    late = desk.post(page_of(patron), data=form)
    assert late.status_code == 303 and late.location.endswith(page_of(patron))
    again = desk.get(page_of(patron)).get_data(as_text=True)
    assert "Iemand anders heeft de gegevens van deze klant intussen gewijzigd" in again
    assert 'value="0599 111111"' in again
    saved = stored(patron)
    assert (saved.phone, saved.city) == ("0599 111111", "Ruinerwold")


def test_a_change_saved_between_reading_and_writing_is_not_overwritten(
    app: Flask, patron: Patron
) -> None:
    create_staff(app, "balie")
    staff = find_by_username(db.session, "balie")
    assert staff is not None
    shown = data_of(patron)
    with Session(db.engine) as elsewhere:  # another process, after the page was read here
        elsewhere.execute(update(Patron).where(Patron.id == patron.id).values(phone="0599 1"))
        elsewhere.commit()
    wanted = replace(shown, city="Assen")
    with pytest.raises(DomainError) as refused:
        change_patron_data(
            db.session, staff, patron, wanted, fingerprint(shown), mail_settings(), now()
        )
    assert refused.value.code == "patron_changed_meanwhile"
    db.session.rollback()
    assert (stored(patron).phone, stored(patron).city) == ("0599 1", "Ruinerwold")


def test_desk_and_coordinator_may_change_data_and_a_patron_gets_403(
    app: Flask, new_browser: Callable[[], FlaskClient], client: FlaskClient
) -> None:
    patron = member(client)
    assert log_in(client, "marieke85").status_code == 303
    assert client.get(page_of(patron)).status_code == 403
    token = csrf_token_in(client.get("/mijn-account").get_data(as_text=True))
    sent = client.post(page_of(patron), data={"csrf_token": token, "city": "Assen"})
    assert sent.status_code == 403 and stored(patron).city == "Ruinerwold"
    coordinator = desk_session(app, new_browser(), "hoofd", "coordinator")
    assert change(coordinator, patron, city="Assen").status_code == 303
    entry = entries(db.session, patron_id=patron.id)[0]
    assert (entry.action, entry.staff_username, entry.after) == (
        CHANGED,
        "hoofd",
        {"city": "Assen"},
    )
    anonymous = new_browser()
    assert anonymous.get(page_of(patron)).location.startswith("/inloggen")
