"""The portal's error answers: branded pages in Dutch and English with a way back, JSON where
programs call, the headers of the error kept, a crash logged with its traceback."""

import logging
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from shared.models.account import LoginAccount
from tests.support.accounts import log_in, member
from tests.support.signup import csrf_token

HOME_LINK = 'href="/"'


def in_english(client: FlaskClient) -> FlaskClient:
    """The browser, with English chosen."""
    client.post("/taal", data={"csrf_token": csrf_token(client.get("/")), "lang": "en"})
    return client


@pytest.mark.parametrize(
    ("method", "path", "code", "dutch", "english"),
    [
        ("get", "/bestaat-niet", 404, "Pagina niet gevonden", "Page not found"),
        ("get", "/static/bestaat-niet.css", 404, "Pagina niet gevonden", "Page not found"),
        ("get", "/uitloggen", 405, "Deze pagina werkt zo niet", "This page cannot be used"),
        ("post", "/", 405, "Deze pagina werkt zo niet", "This page cannot be used"),
    ],
)
def test_a_wrong_address_or_method_gets_a_branded_page_with_a_way_back(
    client: FlaskClient, method: str, path: str, code: int, dutch: str, english: str
) -> None:
    response = getattr(client, method)(path)
    page = response.get_data(as_text=True)
    assert response.status_code == code and response.mimetype == "text/html"
    assert dutch in page and 'class="site-header"' in page and HOME_LINK in page
    assert english in getattr(in_english(client), method)(path).get_data(as_text=True)
    if code == 405:
        assert response.headers["Allow"]


def test_too_many_posts_get_the_branded_page_with_retry_after(
    app: Flask, new_browser: Callable[[], FlaskClient]
) -> None:
    app.config["LOGIN_RATE_LIMIT"] = "1 per minute"
    client = new_browser()
    form = {"csrf_token": csrf_token(client.get("/inloggen")), "login": "x", "password": "y"}
    client.post("/inloggen", data=form)
    response = client.post("/inloggen", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Wacht een minuut" in page and HOME_LINK in page and "/wachtwoord-vergeten" in page


@pytest.mark.parametrize(
    ("method", "path", "code", "error"),
    [
        ("get", "/api/kiosk/v1/bestaat-niet", 404, "not_found"),
        ("get", "/api/kiosk/v1/heartbeat", 405, "method_not_allowed"),
        ("get", "/oidc/token", 405, "method_not_allowed"),
        ("delete", "/oidc/userinfo", 405, "method_not_allowed"),
        ("get", "/.well-known/bestaat-niet", 404, "not_found"),
        ("post", "/healthz", 405, "method_not_allowed"),
    ],
)
def test_addresses_programs_call_answer_errors_in_json(
    client: FlaskClient, method: str, path: str, code: int, error: str
) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == code and response.json == {"error": error}


@pytest.fixture
def crashing(portal_instance: Callable[..., Flask]) -> FlaskClient:
    """The portal as in production (no exception reaches the test), with two pages that crash."""
    crashing = portal_instance(TESTING=False)

    def crash() -> str:
        raise RuntimeError("a bug")

    def failed_write() -> str:
        db.session.add(LoginAccount(username="x", username_key=None))  # NOT NULL: it fails
        db.session.flush()
        return "never"

    crashing.add_url_rule("/stuk", "crash_page", crash)
    crashing.add_url_rule("/api/stuk", "crash_api", crash)
    crashing.add_url_rule("/stuk/schrijven", "crash_write", failed_write)
    return crashing.test_client()


def test_a_failed_write_still_gets_the_branded_page_with_who_is_logged_in(
    client: FlaskClient,
    crashing: FlaskClient,
    mollie_sandbox,  # noqa: ANN001
) -> None:
    patron = member(client)
    log_in(crashing, patron.login_account.username)
    response = crashing.get("/stuk/schrijven")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Er ging iets mis" in page and HOME_LINK in page
    assert "van Dijk" in page or "marieke85" in page  # the header still says who it is


def test_a_crash_is_logged_with_its_traceback_and_answered_on_the_branded_page(
    crashing: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = crashing.get("/stuk")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Er ging iets mis" in page and HOME_LINK in page
    assert "a bug" not in page and "Traceback" not in page
    (record,) = [r for r in caplog.records if r.exc_info]
    assert record.exc_info[0] is RuntimeError
    api = crashing.get("/api/stuk")
    assert api.status_code == 500 and api.json == {"error": "internal_server_error"}
