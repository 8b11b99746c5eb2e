"""End to end: a real relying party (Authlib's Flask client, on its own port) logs a patron in to
the portal (on its port) through the code flow with PKCE S256, then logs out; requests is the
patron's browser."""

import json
import re
from collections.abc import Iterator

import pytest
import requests
from authlib.integrations.flask_client import OAuth
from flask import Flask, jsonify, session, url_for
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import KeySet
from werkzeug.wrappers import Response

from shared.models.patron import Patron
from tests.support.accounts import PASSWORD, member
from tests.support.oidc import add_client
from tests.support.servers import free_port, running_server

SCOPE = "openid profile email library"


def relying_party(issuer: str, client_id: str) -> Flask:
    """An e-book platform: Authlib's OpenID Connect client as a public client with PKCE."""
    rp = Flask("e_book_platform")
    # Both apps live on 127.0.0.1, and cookies ignore the port: a name of its own.
    rp.config.update(SECRET_KEY="rp-secret", SESSION_COOKIE_NAME="rp_session")
    oauth = OAuth(rp)
    oauth.register(
        "library",
        client_id=client_id,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": SCOPE,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "none",
        },
    )

    @rp.get("/login")
    def login() -> Response:
        return oauth.library.authorize_redirect(url_for("callback", _external=True))

    @rp.get("/callback")
    def callback() -> Response:
        token = oauth.library.authorize_access_token()  # checks the ID token against the JWKS
        session["id_token"] = token["id_token"]
        userinfo = oauth.library.userinfo(token=token)
        return jsonify(id_token=token["id_token"], claims=token["userinfo"], userinfo=userinfo)

    @rp.get("/logout")
    def logout() -> Response:
        return oauth.library.logout_redirect(
            post_logout_redirect_uri=url_for("logged_out", _external=True),
            id_token_hint=session["id_token"],
        )

    @rp.get("/logged-out")
    def logged_out() -> str:
        oauth.library.validate_logout_response()  # the state we sent came back
        return "logged out of the e-book platform"

    return rp


@pytest.fixture
def rp_url(app: Flask, portal_server: str) -> Iterator[str]:
    """The relying party registered at the portal as a public client, running on a real port."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    client = add_client(
        app,
        *("--name", "E-book platform", "--public"),
        *("--redirect-uri", f"{base}/callback"),
        *("--post-logout-redirect-uri", f"{base}/logged-out"),
    )
    with running_server(relying_party(portal_server, client["client_id"]), port=port) as url:
        yield url


def csrf(page: requests.Response) -> str:
    """The CSRF token of a portal form."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)[1]


def submit(browser: requests.Session, page: requests.Response, **data: str) -> requests.Response:
    """Post the portal form on this page back to its address, as a browser would."""
    return browser.post(page.url, data={"csrf_token": csrf(page), **data}, timeout=20)


def test_relying_party_logs_a_patron_in_and_out(
    client: FlaskClient, app: Flask, portal_server: str, rp_url: str
) -> None:
    patron: Patron = member(client)
    browser = requests.Session()
    login_page = browser.get(f"{rp_url}/login", timeout=20)
    assert "/inloggen?next=" in login_page.url
    consent = submit(browser, login_page, login=patron.customer_number, password=PASSWORD)
    assert "/oidc/authorize" in consent.url and "E-book platform" in consent.text
    result = submit(browser, consent, decision="allow")
    assert result.url.startswith(f"{rp_url}/callback?code="), result.text
    body = result.json()

    jwks = KeySet.import_key_set(requests.get(f"{portal_server}/oidc/jwks", timeout=20).json())
    id_token = jwt.decode(body["id_token"], jwks, algorithms=["RS256"])
    assert id_token.header["kid"] in [key.kid for key in jwks]
    assert id_token.claims["iss"] == portal_server
    assert id_token.claims["sub"] == body["claims"]["sub"] == body["userinfo"]["sub"]
    assert body["userinfo"]["preferred_username"] == patron.temporary_number
    assert body["userinfo"]["library"] == {
        "isil": "NL-083076",
        "subscription_valid": True,
        "online_library": True,
        "guest": False,
        "loan_strips": 0,
    }

    again = browser.get(f"{rp_url}/login", timeout=20)  # single sign-on: no login, no consent
    assert again.url.startswith(f"{rp_url}/callback?code=")
    assert json.loads(again.text)["userinfo"]["sub"] == id_token.claims["sub"]

    bye = browser.get(f"{rp_url}/logout", timeout=20)
    assert bye.url.startswith(f"{rp_url}/logged-out?state=") and "logged out" in bye.text
    assert "/inloggen" in browser.get(f"{portal_server}/mijn-account", timeout=20).url
