"""Pages every new visitor gets alike (the login form, the signup's first step) are rendered once
per portal process and language, each visitor with their own CSRF token; a visitor who is logged
in, has a message waiting, has begun a signup or sent a query string gets the page made for
them."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, template_rendered
from flask.testing import FlaskClient
from jinja2 import Template

from tests.support import accounts
from tests.support.signup import choose, csrf_token


@contextmanager
def rendered_templates(app: Flask) -> Iterator[list[str]]:
    """The names of the templates the app renders while the block runs."""
    names: list[str] = []

    def record(_app: Flask, template: Template, **_context: object) -> None:
        names.append(str(template.name))

    with template_rendered.connected_to(record, app):
        yield names


def test_new_visitors_get_the_page_rendered_once_each_with_their_own_token(
    client: FlaskClient,
) -> None:
    patron = accounts.member(client)
    app = client.application
    first, second = app.test_client(), app.test_client()  # two visitors of one process
    with rendered_templates(app) as rendered:
        first_page = first.get("/inloggen")
        second_page = second.get("/inloggen")
    assert rendered == ["portal/login/login.html"]
    first_token, second_token = csrf_token(first_page), csrf_token(second_page)
    assert first_token != second_token
    html = first_page.get_data(as_text=True).replace(first_token, second_token)
    assert second_page.get_data(as_text=True) == html
    assert accounts.log_in(second, patron.customer_number).status_code == 303


def test_each_language_has_its_own_page(client: FlaskClient) -> None:
    app = client.application
    assert "Inloggen bij de Bibliotheek" in client.get("/inloggen").get_data(as_text=True)
    english = app.test_client()
    english.set_cookie("lang", "en")
    assert "Log in to the library" in english.get("/inloggen").get_data(as_text=True)


def test_a_visitor_logged_in_or_with_a_message_waiting_gets_their_own_page(
    client: FlaskClient,
) -> None:
    patron = accounts.member(client)
    app = client.application
    assert client.get("/inloggen").status_code == 200  # the page every new visitor gets
    visitor = app.test_client()
    assert accounts.log_in(visitor, patron.customer_number).status_code == 303
    assert "Ingelogd als" in visitor.get("/inloggen").get_data(as_text=True)
    token = csrf_token(visitor.get("/mijn-account"))
    assert visitor.post("/uitloggen", data={"csrf_token": token}).status_code == 303
    assert "Je bent uitgelogd." in visitor.get("/inloggen").get_data(as_text=True)


def test_a_new_visitor_gets_only_the_session_cookie(client: FlaskClient) -> None:
    client.get("/inloggen")  # the page is kept
    cookies = client.application.test_client().get("/inloggen").headers.getlist("Set-Cookie")
    assert [cookie.split("=")[0] for cookie in cookies] == ["session"]


def test_a_visitor_who_began_a_signup_sees_their_choice(client: FlaskClient) -> None:
    chosen = re.compile(r'id="subscription-0045"[^>]*checked')
    assert not chosen.search(client.get("/word-lid").get_data(as_text=True))
    visitor = client.application.test_client()
    assert choose(visitor, "0045").status_code == 303
    assert chosen.search(visitor.get("/word-lid").get_data(as_text=True))
    newcomer = client.application.test_client()
    assert not chosen.search(newcomer.get("/word-lid").get_data(as_text=True))


def test_a_query_string_gets_its_own_page(client: FlaskClient) -> None:
    assert client.get("/inloggen").status_code == 200
    page = client.application.test_client().get("/inloggen?next=/mijn-account")
    assert 'value="/inloggen?next=/mijn-account"' in page.get_data(as_text=True)
