"""Letters for patrons without an e-mail address (*contributiebrieven*), made by `memberships
run-daily` with the clock moved: the desk's print queue, each letter and all of them as a PDF
(the amount, the patron's address, the branch's, how to pay), marking them printed (in the audit
log), the patron screen's list of them; staff only."""

import re
from collections.abc import Callable
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.wiring import now
from shared.clock import ManualClock
from shared.desk.audit import entries
from shared.models.membership import Letter
from shared.models.patron import Patron
from shared.models.payment import Payment
from shared.timeutil import local_today
from shared.translation import day_in
from tests.functional.portal.test_renewal import go_to, run_daily, subscription_of
from tests.functional.portal.test_staff_patron_screen import section
from tests.support.accounts import log_in, member
from tests.support.factories import create_patron, create_subscription
from tests.support.kiosk_api import kiosk_payment, register_kiosk
from tests.support.pdf_text import pdf_pages, pdf_text
from tests.support.signup import csrf_token
from tests.support.staff import desk_session

DAY = timedelta(days=1)
QUEUE = "/balie/brieven"
MARK = "/balie/brieven/afgedrukt"


def without_e_mail(patron: Patron) -> Patron:
    """The patron, with no e-mail address on the record or the login: letters, not mails."""
    patron.library_email = ""
    if patron.login_account is not None:
        patron.login_account.email = ""
    db.session.commit()
    return patron


def renewal_letter(app: Flask, client: FlaskClient, clock: ManualClock, **account: str) -> Patron:
    """A member (login account fields as at signup) without an e-mail address whose renewal is
    due: the job left a letter."""
    patron = without_e_mail(member(client, **account))
    go_to(clock, subscription_of(patron).end_date - 30 * DAY)
    run_daily(app)
    return patron


def letters_of(patron: Patron) -> list[Letter]:
    """The patron's letters, oldest first, read again."""
    db.session.expire_all()
    query = select(Letter).where(Letter.patron_id == patron.id).order_by(Letter.id)
    return list(db.session.scalars(query))


def flat(text: str) -> str:
    """The text with its lines and spaces folded into single spaces."""
    return " ".join(text.split())


def queue(desk: FlaskClient) -> str:
    """The print queue's HTML, answered with 200."""
    page = desk.get(QUEUE)
    assert page.status_code == 200, page.status_code
    return page.get_data(as_text=True)


def pdf(browser: FlaskClient, path: str) -> bytes:
    """A PDF the portal answers with."""
    response = browser.get(path)
    assert (response.status_code, response.mimetype) == (200, "application/pdf")
    assert response.data.startswith(b"%PDF-")
    return response.data


def mark(
    desk: FlaskClient, which: str, letters: list[Letter], ticked: list[Letter]
) -> TestResponse:
    """Send the queue's form: the letters listed, those ticked, and which button."""
    form = {
        "csrf_token": csrf_token(desk.get(QUEUE)),
        "which": which,
        "listed": [letter.id for letter in letters],
        "letter": [letter.id for letter in ticked],
    }
    return desk.post(MARK, data=form)


def test_the_desk_prints_the_letter_of_the_renewal_and_marks_it_printed(
    app: Flask, client: FlaskClient, clock: ManualClock, new_browser: Callable[[], FlaskClient]
) -> None:
    patron = renewal_letter(app, client, clock)
    [letter] = letters_of(patron)
    desk = desk_session(app, new_browser())
    waiting = queue(desk)
    listed = section(waiting, "waiting")
    assert "M.J. van Dijk Verlenging binnenkort € 58,00" in listed
    assert f'href="/balie/klanten/{patron.temporary_number}">M.J. van Dijk</a>' in waiting
    assert "zijn er geen brieven afgedrukt" in section(waiting, "printed")
    text = pdf_text(pdf(desk, f"/balie/brieven/{letter.id}.pdf"))
    branch = patron.home_branch
    for expected in ("58,00", "M.J. van Dijk", "Dijkhuizen 12", "7961 AM  RUINERWOLD"):
        assert expected in text
    assert branch.street in text and f"{branch.postcode} {branch.city}" in text
    assert "Verleng je abonnement" in text and "Beste Marieke," in text
    assert "Bij een zelfservicezuil in de bibliotheek, met je bankpas." in flat(text)
    assert re.search(r"log in op http://127\.0\.0\.1:\d+/mijn-account en ga naar Mijn", flat(text))

    assert mark(desk, "ticked", [letter], [letter]).location == QUEUE
    after = queue(desk)
    assert "1 brief gemarkeerd als afgedrukt." in after
    assert "Er hoeven geen brieven afgedrukt te worden." in section(after, "waiting")
    assert "M.J. van Dijk" in section(after, "printed") and " door balie " in section(
        after, "printed"
    )
    [printed] = letters_of(patron)
    assert (printed.printed_at, printed.printed_by) == (now(), "balie")
    audit = [
        (e.action, e.staff_username, e.after) for e in entries(db.session, patron_id=patron.id)
    ]
    assert sorted(audit) == [
        ("letter.opened", "balie", {"letter": letter.id}),  # personal data seen, as a screen
        ("letter.printed", "balie", {"letter": letter.id}),
    ]
    assert "58,00" in pdf_text(pdf(desk, f"/balie/brieven/{letter.id}.pdf"))  # again, later


def test_every_unpaid_step_is_a_letter_printed_in_one_go_and_listed_on_the_patron_screen(
    app: Flask, client: FlaskClient, clock: ManualClock, new_browser: Callable[[], FlaskClient]
) -> None:
    patron = without_e_mail(member(client))
    end = subscription_of(patron).end_date
    for day in (end - 30 * DAY, end + DAY, end + 23 * DAY, end + 31 * DAY):
        go_to(clock, day)
        run_daily(app)
    letters = letters_of(patron)
    assert [letter.step for letter in letters] == ["notice", "invoice", "reminder", "lapsed"]
    desk = desk_session(app, new_browser())
    link = re.search(r'href="(/balie/brieven/af-te-drukken\.pdf\?tot=\d+)"', queue(desk))
    assert link is not None
    pages = pdf_pages(pdf(desk, link[1].replace("&amp;", "&")))
    subjects = [
        "Verleng je abonnement",
        "Je abonnement is verlengd: wil je betalen?",
        "Herinnering: betaal je abonnement",
        "Je kunt niet lenen tot je abonnement betaald is",
    ]
    assert [subject in page for subject, page in zip(subjects, pages, strict=True)] == [True] * 4
    assert all("Zo betaal je € 58,00" in page for page in pages)
    assert f"Je kunt nog lenen tot en met {day_in('nl', end + 30 * DAY)}" in flat(pages[1])
    screen = f"/balie/klanten/{patron.temporary_number}"
    assert section(desk.get(screen).get_data(as_text=True), "letters").count("Nog niet") == 4

    assert mark(desk, "all", letters, []).location == QUEUE
    assert "4 brieven gemarkeerd als afgedrukt." in queue(desk)
    listed = section(desk.get(screen).get_data(as_text=True), "letters")
    assert listed.count(" door balie ") == 4 and "Verlenging gefactureerd" in listed
    assert mark(desk, "all", letters, []).location == QUEUE  # a second press marks nothing
    printed = [e for e in entries(db.session, patron_id=patron.id) if e.action == "letter.printed"]
    assert sorted(e.after["letter"] for e in printed) == [letter.id for letter in letters]
    opened = [e for e in entries(db.session, patron_id=patron.id) if e.action == "letter.opened"]
    assert sorted(e.after["letter"] for e in opened) == [letter.id for letter in letters]


def test_marking_needs_a_ticked_letter_and_print_all_needs_a_waiting_one(
    app: Flask, client: FlaskClient, clock: ManualClock, new_browser: Callable[[], FlaskClient]
) -> None:
    patron = renewal_letter(app, client, clock)
    desk = desk_session(app, new_browser())
    assert mark(desk, "ticked", letters_of(patron), []).location == QUEUE
    assert "Vink eerst de brieven aan die je hebt afgedrukt." in queue(desk)
    assert letters_of(patron)[0].printed_at is None
    mark(desk, "all", letters_of(patron), [])
    nothing = desk.get("/balie/brieven/af-te-drukken.pdf?tot=" + "9" * 30)
    assert nothing.location == QUEUE
    assert "Er hoeven geen brieven afgedrukt te worden." in queue(desk)
    assert desk.get("/balie/brieven/" + "9" * 30 + ".pdf").status_code == 404


def test_a_letter_is_written_in_the_patron_s_language_to_an_address_abroad(
    app: Flask, client: FlaskClient, clock: ManualClock, new_browser: Callable[[], FlaskClient]
) -> None:
    patron = member(client)
    patron.locale, patron.country = "en", "BE"
    without_e_mail(patron)
    go_to(clock, subscription_of(patron).end_date - 30 * DAY)
    run_daily(app)
    [letter] = letters_of(patron)
    text = pdf_text(pdf(desk_session(app, new_browser()), f"/balie/brieven/{letter.id}.pdf"))
    assert "Renew your subscription" in text and "Dear Marieke," in text
    assert "How to pay €58.00" in text and "\nBELGIUM\n" in text


def test_a_youth_member_without_an_e_mail_turning_19_gets_a_letter_without_an_amount(
    app: Flask, clock: ManualClock, new_browser: Callable[[], FlaskClient]
) -> None:
    today = local_today(now())
    born = date(today.year - 19, today.month, 1) + 40 * DAY
    birthday = born.replace(year=born.year + 19)  # the 19th, in some weeks
    youth = create_patron(db.session, None, now(), birth_date=born)
    create_subscription(db.session, youth, "jeugd", today, end=birthday - DAY)
    without_e_mail(youth)
    go_to(clock, birthday)
    run_daily(app)
    [letter] = letters_of(youth)
    desk = desk_session(app, new_browser())
    assert f"{youth.display_name} Jeugdabonnement omgezet – " in section(queue(desk), "waiting")
    text = pdf_text(pdf(desk, f"/balie/brieven/{letter.id}.pdf"))
    assert "Gefeliciteerd met je 19e verjaardag!" in text and "Zo betaal je" not in text
    assert "Kies een ander abonnement aan de balie" in flat(text)


def test_only_staff_see_the_letters(
    app: Flask, client: FlaskClient, clock: ManualClock, new_browser: Callable[[], FlaskClient]
) -> None:
    patron = renewal_letter(app, client, clock)
    [letter] = letters_of(patron)
    other = new_browser()
    member(other, username="jansen", email="jansen@example.nl")
    assert log_in(other, "jansen").status_code == 303
    for path in (QUEUE, f"/balie/brieven/{letter.id}.pdf", "/balie/brieven/af-te-drukken.pdf"):
        assert other.get(path).status_code == 403
        anonymous = new_browser().get(path)
        assert anonymous.status_code == 302 and "/inloggen" in anonymous.location
    token = csrf_token(other.get("/mijn-account"))
    form = {"csrf_token": token, "which": "all", "listed": letter.id}
    assert other.post(MARK, data=form).status_code == 403
    assert letters_of(patron)[0].printed_at is None


def test_a_letter_printed_again_says_what_it_said_when_it_was_made(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    new_browser: Callable[[], FlaskClient],
    portal_server: str,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    patron = without_e_mail(member(client))
    go_to(clock, subscription_of(patron).end_date + DAY)
    run_daily(app)
    [invoice] = letters_of(patron)
    token = register_kiosk(app, "Kiosk", "--terminal", "term_sandboxKiosk1")
    assert kiosk_payment(client, token, patron, "pays-renewal").json["amount"] == "58.00"
    paid = db.session.scalars(select(Payment).where(Payment.terminal_id.is_not(None))).one()
    mollie_sandbox.set_status(paid.provider_id, "paid")
    desk = desk_session(app, new_browser())
    again = flat(pdf_text(pdf(desk, f"/balie/brieven/{invoice.id}.pdf")))
    assert "Zo betaal je € 58,00" in again and "0,00" not in again
    assert "€ 58,00" in section(queue(desk), "waiting")
