"""Single sign-on test helpers: register clients by the real CLI, PKCE pairs, the code flow."""

import base64
import hashlib
import json
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.signup import csrf_token

REDIRECT_URI = "https://e-books.example.nl/callback"
LOGOUT_URI = "https://e-books.example.nl/logged-out"
ALL_SCOPES = "openid profile email library"


def add_client(app: Flask, *options: str) -> dict[str, Any]:
    """Run `flask oidc add-client`; its JSON output."""
    result = app.test_cli_runner().invoke(args=["oidc", "add-client", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def add_service(app: Flask, *flags: str, name: str = "E-books") -> dict[str, Any]:
    """A client with the standard redirect and post-logout URIs."""
    uris = ("--redirect-uri", REDIRECT_URI, "--post-logout-redirect-uri", LOGOUT_URI)
    return add_client(app, "--name", name, *uris, *flags)


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(client_id: str, **params: str) -> str:
    """An authorization request of the code flow (params override or add)."""
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": ALL_SCOPES,
        "state": "state-123",
        "nonce": secrets.token_urlsafe(12),
        **params,
    }
    return "/oidc/authorize?" + urlencode({k: v for k, v in query.items() if v is not None})


def redirect_params(response: TestResponse) -> dict[str, str]:
    """The query parameters of a redirect to the client."""
    assert response.status_code == 302, response.get_data(as_text=True)
    return {key: values[0] for key, values in parse_qs(urlsplit(response.location).query).items()}


def allow(client: FlaskClient, url: str) -> TestResponse:
    """Press *Allow* on the consent page."""
    token = csrf_token(client.get(url))
    return client.post(url, data={"csrf_token": token, "decision": "allow"})


def exchange(
    client: FlaskClient, code: str, auth: tuple[str, str | None], **extra: str
) -> TestResponse:
    """The token request: client_secret_post for a confidential client, else the client id."""
    client_id, secret = auth
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    credentials = {"client_id": client_id, **({"client_secret": secret} if secret else {})}
    return client.post("/oidc/token", data={**data, **credentials, **extra})


def code_for(client: FlaskClient, client_id: str, **params: str) -> str:
    """Walk the authorization (allowing on the consent page if it shows); the code."""
    url = authorize_url(client_id, **params)
    response = client.get(url)
    if response.status_code == 200:
        response = allow(client, url)
    return redirect_params(response)["code"]


def tokens_for(client: FlaskClient, service: dict, **params: str) -> dict:
    """A whole confidential code flow; the token response."""
    code = code_for(client, service["client_id"], **params)
    response = exchange(client, code, (service["client_id"], service["client_secret"]))
    assert response.status_code == 200, response.json
    return response.json
