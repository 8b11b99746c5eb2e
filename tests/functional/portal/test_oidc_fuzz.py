"""No parameter set makes a single sign-on endpoint fail: generated requests (any unicode,
control characters, bytes that are not UTF-8, huge, empty and repeated values) get an OAuth error
or an answer, never a server error.

Each request starts from a valid one (a registered service, its redirect URI, a fresh code, a
valid token or ID token) and spoils some of its parameters, so the checks deep in the flow see
the generated values too. The app runs with TESTING on: an uncaught exception fails the test
outright instead of becoming a 500.
"""

from collections.abc import Iterator
from urllib.parse import quote_from_bytes

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.models.patron import Patron
from tests.functional.portal.test_oidc import patron  # noqa: F401
from tests.support.accounts import log_in
from tests.support.oidc import REDIRECT_URI, add_service, code_for, pkce_pair, tokens_for

Params = list[tuple[bytes, bytes]]

# Bounded so the whole module runs in about 20 seconds on a loaded machine.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VALUES = st.one_of(
    st.text(max_size=40).map(str.encode),
    st.text(st.characters(max_codepoint=0x9F), max_size=12).map(str.encode),
    st.binary(max_size=24),
    st.sampled_from(["", " ", "%", "%zz", "\x00", "\u202e", "openid" * 500, "1" * 5000]).map(
        str.encode
    ),
    st.integers(min_value=300, max_value=20_000).map(lambda size: b"a" * size),
)
OAUTH_NAMES = [
    "response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "prompt", "max_age",
    "code_challenge", "code_challenge_method", "grant_type", "code", "code_verifier",
    "client_secret", "id_token_hint", "post_logout_redirect_uri", "ui_locales", "access_token",
    "display", "login_hint", "request", "claims",
]  # fmt: skip
NAMES = st.one_of(st.sampled_from(OAUTH_NAMES), st.text(max_size=8).map(str.encode))
HEADERS = st.one_of(
    st.none(),
    st.sampled_from(["Bearer ", "Basic ", "Basic !!!", "Bearer a b", "Basic " + "QQ==" * 900]),
    st.text(st.characters(max_codepoint=0xFF, exclude_characters="\r\n"), max_size=60),
)


@st.composite
def spoiled(draw: st.DrawFn, valid: dict[str, str]) -> Params:
    """The valid parameters with some replaced, repeated, dropped or added."""
    params = [(name.encode(), value.encode()) for name, value in valid.items()]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        name = draw(NAMES)
        name = name.encode() if isinstance(name, str) else name
        how = draw(st.sampled_from(["replace", "repeat", "drop"]))
        if how != "repeat":
            params = [(key, value) for key, value in params if key != name]
        if how != "drop":
            params.append((name, draw(VALUES)))
    return draw(st.permutations(params))


def encoded(params: Params, raw: bool) -> str:
    """A query string or form body; `raw` leaves '%' as it is (escapes that are no escapes)."""
    safe = "%" if raw else ""
    return "&".join(f"{quote_from_bytes(k, safe)}={quote_from_bytes(v, safe)}" for k, v in params)


def send(client: FlaskClient, method: str, path: str, params: Params, raw: bool, auth: str | None):
    """The request, its parameters in the query (GET) or a form body (POST)."""
    headers = {"Authorization": auth} if auth is not None else {}
    body = encoded(params, raw)
    if method == "GET":
        return client.get(path, query_string=body, headers=headers)
    form = "application/x-www-form-urlencoded"
    return client.post(path, data=body, content_type=form, headers=headers)


@pytest.fixture
def service(app: Flask) -> dict[str, str]:
    """A confidential first-party service (no consent page: the code flow goes all the way)."""
    return add_service(app, "--first-party")


@pytest.fixture
def id_token(client: FlaskClient, service: dict[str, str], patron: Patron) -> str:  # noqa: F811
    """An ID token of the patron for the service."""
    return tokens_for(client, service)["id_token"]


def logged_in(client: FlaskClient, patron: Patron) -> FlaskClient:  # noqa: F811
    """The patron's browser, logged in again if a generated request logged them out."""
    if client.get("/mijn-account").status_code != 200:
        log_in(client, patron.customer_number)
    return client


@pytest.fixture
def visitor(new_browser) -> Iterator[FlaskClient]:  # noqa: ANN001
    """A browser that is not logged in."""
    yield new_browser()


def authorization(service: dict[str, str]) -> dict[str, str]:
    """A valid authorization request with PKCE."""
    return {
        "response_type": "code",
        "client_id": service["client_id"],
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile email library",
        "state": "state-123",
        "nonce": "n-0S6",
        "code_challenge": pkce_pair()[1],
        "code_challenge_method": "S256",
    }


@FUZZ
@given(data=st.data(), method=st.sampled_from(["GET", "POST"]), raw=st.booleans())
def test_authorize(
    client: FlaskClient, visitor: FlaskClient, service: dict, patron: Patron,  # noqa: F811
    data: st.DataObject, method: str, raw: bool,
) -> None:  # fmt: skip
    browser = data.draw(st.sampled_from([logged_in(client, patron), visitor]))
    params = data.draw(spoiled(authorization(service)))
    response = send(browser, method, "/oidc/authorize", params, raw, None)
    assert response.status_code < 500


@FUZZ
@given(data=st.data(), raw=st.booleans(), auth=HEADERS)
def test_token(
    client: FlaskClient, service: dict, patron: Patron,  # noqa: F811
    data: st.DataObject, raw: bool, auth: str | None,
) -> None:  # fmt: skip
    verifier, challenge = pkce_pair()
    s256 = {"code_challenge": challenge, "code_challenge_method": "S256"}
    code = code_for(client, service["client_id"], **s256)
    valid = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": service["client_id"],
        "client_secret": service["client_secret"],
        "code_verifier": verifier,
    }
    response = send(client, "POST", "/oidc/token", data.draw(spoiled(valid)), raw, auth)
    assert response.status_code < 500
    assert response.is_json


@FUZZ
@given(data=st.data(), method=st.sampled_from(["GET", "POST"]), raw=st.booleans(), auth=HEADERS)
def test_userinfo(
    client: FlaskClient, service: dict, patron: Patron,  # noqa: F811
    data: st.DataObject, method: str, raw: bool, auth: str | None,
) -> None:  # fmt: skip
    token = tokens_for(client, service)["access_token"]
    params = data.draw(spoiled({"access_token": token}))
    response = send(client, method, "/oidc/userinfo", params, raw, auth)
    assert response.status_code < 500
    assert response.is_json or response.status_code == 401


@FUZZ
@given(data=st.data(), method=st.sampled_from(["GET", "POST"]), raw=st.booleans())
def test_end_session(
    client: FlaskClient, service: dict, patron: Patron, id_token: str,  # noqa: F811
    data: st.DataObject, method: str, raw: bool,
) -> None:  # fmt: skip
    logged_in(client, patron)
    valid = {
        "id_token_hint": id_token,
        "client_id": service["client_id"],
        "post_logout_redirect_uri": "https://e-books.example.nl/logged-out",
        "state": "bye-1",
    }
    response = send(client, method, "/oidc/logout", data.draw(spoiled(valid)), raw, None)
    assert response.status_code < 500


@FUZZ
@given(
    data=st.data(),
    path=st.sampled_from(["/.well-known/openid-configuration", "/oidc/jwks"]),
    raw=st.booleans(),
)
def test_discovery_and_keys(client: FlaskClient, data: st.DataObject, path: str, raw: bool) -> None:
    params = data.draw(spoiled({}))
    response = send(client, "GET", path, params, raw, None)
    # A NUL anywhere in an address is refused at the door (PostgreSQL stores none).
    nul = any(b"\x00" in part for pair in params for part in pair)
    assert response.is_json and response.status_code == (400 if nul else 200)
