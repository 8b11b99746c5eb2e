"""Every `next` target of the portal goes through the one safe-redirect rule."""

import pytest
from flask.testing import FlaskClient

from tests.support.accounts import log_in, member
from tests.support.signup import csrf_token

TRICKS = [
    "/\t/evil.example",
    "/%09/evil.example",
    "/\\evil.example",
    "//evil.example",
    "/%2F%2Fevil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "／／evil.example",
    "/\n",  # a line break in the Location header was a server error
    "/\r\nSet-Cookie: lang=en",
]


@pytest.mark.parametrize("trick", TRICKS)
def test_the_language_switch_stays_on_this_site(client: FlaskClient, trick: str) -> None:
    token = csrf_token(client.get("/"))
    response = client.post("/taal", data={"csrf_token": token, "lang": "en", "next": trick})
    assert response.status_code == 303 and response.location == "/"


def test_the_language_switch_goes_back_to_the_page_with_its_query(client: FlaskClient) -> None:
    token = csrf_token(client.get("/"))
    back = "/inloggen?next=%2Fmijn-account"
    response = client.post("/taal", data={"csrf_token": token, "lang": "en", "next": back})
    assert response.location == back


def test_logging_in_goes_to_next_only_on_this_site(client: FlaskClient, mollie_sandbox) -> None:
    patron = member(client)
    for trick in ("/%2F%2Fevil.example", "/%252F/evil.example", "/@evil.example"):
        landed = log_in(client, patron.customer_number, next_path=trick).location
        assert landed == "/mijn-account", trick
