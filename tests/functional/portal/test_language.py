"""The patron's language: its own cookie (kept after logging out), the account's at login, a
switch in the middle of a form that keeps what was typed, and English dates as in Britain."""

from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from shared.models.registration import Registration
from tests.support.accounts import log_in, member
from tests.support.signup import (
    account_data,
    checkout,
    choose,
    csrf_token,
    details_data,
    start_payment,
    submit,
    walk_to_review,
)


def choose_language(client: FlaskClient, language: str, page: str = "/") -> None:
    """Press the language button on a page without a form."""
    token = csrf_token(client.get(page))
    client.post("/taal", data={"csrf_token": token, "lang": language, "next": page})


def log_out(client: FlaskClient) -> None:
    """Press the logout button."""
    token = csrf_token(client.get("/mijn-account"))
    assert client.post("/uitloggen", data={"csrf_token": token}).status_code == 303


def is_english(client: FlaskClient, page: str = "/") -> bool:
    """Whether the page comes in English."""
    return '<html lang="en">' in client.get(page).get_data(as_text=True)


def test_the_language_outlives_the_session(client: FlaskClient, new_browser) -> None:  # noqa: ANN001
    patron = member(client)
    patron.login_account.locale = "en"
    db.session.commit()
    browser = new_browser()
    log_in(browser, patron.login_account.username)
    assert is_english(browser)
    log_out(browser)
    assert is_english(browser) and is_english(browser, "/inloggen")
    cookie = browser.get_cookie("lang")
    assert cookie is not None and cookie.value == "en" and cookie.http_only


def test_logging_in_takes_the_accounts_language(client: FlaskClient, new_browser) -> None:  # noqa: ANN001
    patron = member(client)
    browser = new_browser()
    choose_language(browser, "en")
    assert is_english(browser)
    response = log_in(browser, patron.login_account.username)  # the account's language is Dutch
    assert response.status_code == 303
    assert not is_english(browser) and browser.get_cookie("lang").value == "nl"


def test_english_chosen_during_the_signup_is_the_account_s_and_its_mails(
    client: FlaskClient,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    walk_to_review(client)  # in Dutch
    choose_language(client, "en", "/word-lid/controle")
    client.get(checkout(start_payment(client), "paid"))
    patron = db.session.scalars(select(Patron)).one()
    assert (patron.locale, patron.login_account.locale) == ("en", "en")
    mails = db.session.scalars(select(OutboxMail)).all()
    assert mails and {mail.locale for mail in mails} == {"en"}


def test_the_language_of_the_account_page_is_kept_too(client: FlaskClient, new_browser) -> None:  # noqa: ANN001
    patron = member(client)
    browser = new_browser()
    log_in(browser, patron.login_account.username)
    token = csrf_token(browser.get("/mijn-account"))
    browser.post("/mijn-account/taal", data={"csrf_token": token, "lang": "en"})
    log_out(browser)
    assert is_english(browser)


def test_switching_language_in_a_form_keeps_what_was_typed(client: FlaskClient) -> None:
    choose(client)
    submit(client, "/word-lid/account", account_data())
    typed = details_data(surname="Óñate-de Vries", street="")  # half done: no street yet
    page = submit(client, "/word-lid/gegevens", {**typed, "switch_language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="en">' in html and "Your details" in html
    assert 'value="Óñate-de Vries"' in html and 'value="Ruinerwold"' in html
    assert "error-summary" not in html  # nothing was checked, nothing saved
    assert db.session.scalars(select(Registration)).one().details is None
    assert client.get_cookie("lang").value == "en"
    # The button sends the page's own form back to the page, named by the form's id.
    assert 'form="page-form"' in html and 'name="switch_language" value="nl"' in html


def test_the_login_form_keeps_the_typed_login_when_switching(client: FlaskClient) -> None:
    token = csrf_token(client.get("/inloggen"))
    page = client.post(
        "/inloggen",
        data={"csrf_token": token, "login": "marieke85", "password": "", "switch_language": "en"},
    )
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html and 'value="marieke85"' in html
    assert "error-summary" not in html


def test_english_dates_are_written_as_in_britain(client: FlaskClient) -> None:
    choose_language(client, "en", "/word-lid")
    review = walk_review(client)
    assert "15 April 1985" in review and "April 15, 1985" not in review


def walk_review(client: FlaskClient) -> str:
    """The review page of a signup walked in the current language."""
    choose(client)
    submit(client, "/word-lid/account", account_data())
    submit(client, "/word-lid/gegevens", details_data())
    return client.get("/word-lid/controle").get_data(as_text=True)
