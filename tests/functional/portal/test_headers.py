"""Security headers on every page of the portal, and no inline script in its templates."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shared.paths import TEMPLATES_DIR
from tests.functional.portal.test_login import ask_reset, reset_link
from tests.support.accounts import log_in, member

POLICY_PARTS = ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'")
# Inline script, event-handler attributes, javascript: links; and style attributes, which the
# policy's default-src 'self' refuses too.
INLINE = re.compile(r"<script(?![^>]*\ssrc=)|\son[a-z]+\s*=|javascript:|\sstyle\s*=", re.I)
# The development mail pages show a mail's own HTML and styles: their policy allows those.
MAIL_PREVIEWS = TEMPLATES_DIR / "portal" / "dev"


def get_paths(app: Flask) -> list[tuple[str, bool]]:
    """Every GET address of the URL map, its arguments filled in (1 or "x"), and whether the
    address holds a secret (a token or a webhook's secret)."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()):
            values = {name: 1 if name.endswith("_id") else "x" for name in rule.arguments}
            path = rule.build(values, append_unknown=False)[1]
            paths.append((path, bool({"token", "secret"} & rule.arguments)))
    return sorted(paths)


def assert_secured(response, path: str) -> None:  # noqa: ANN001
    """The headers every answer of the portal carries."""
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert all(part in policy for part in POLICY_PARTS), path
    assert "unsafe-inline" not in policy or path.startswith("/dev/"), path
    assert headers["X-Content-Type-Options"] == "nosniff", path
    assert headers["X-Frame-Options"] == "DENY", path
    assert "camera=()" in headers["Permissions-Policy"], path
    assert "Strict-Transport-Security" not in headers, path  # not outside production
    if not path.startswith("/static/"):  # nothing but our own files kept on a shared computer
        assert "no-store" in headers.get("Cache-Control", ""), path


def test_every_address_carries_the_security_headers(
    client: FlaskClient, app: Flask, mollie_sandbox
) -> None:
    patron = member(client)
    log_in(client, patron.customer_number)
    answered = {}
    for path, secret in get_paths(app):
        response = client.get(path)
        assert_secured(response, path)
        expected = "no-referrer" if secret else "same-origin"
        assert response.headers["Referrer-Policy"] == expected, path
        answered[path] = response.status_code
    ok = {path for path, status in answered.items() if status == 200}
    assert {"/", "/inloggen", "/mijn-account", "/word-lid", "/oidc/jwks"} <= ok, answered
    assert client.get("/mijn-account").headers["Referrer-Policy"] == "same-origin"


def test_a_page_whose_address_holds_a_token_sends_no_referrer(
    client: FlaskClient, mollie_sandbox
) -> None:
    patron = member(client)
    ask_reset(client, patron.customer_number)
    page = client.get(reset_link())
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/bevestigen/account/forged").headers["Referrer-Policy"] == "no-referrer"


def test_hsts_in_production_only(
    portal_instance: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOLLIE_API_ENDPOINT", raising=False)
    production = {
        "OPENBALIE_ENV": "production",
        "MAIL_URL": "smtp://mail.example.nl:25",
        "MAIL_DIR": None,
        "MOLLIE_API_KEY": "live_test",
        "MOLLIE_API_ENDPOINT": None,
        "PORTAL_SINGLE_PROCESS": "1",
    }
    response = portal_instance(**production).test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize(
    "template",
    sorted(
        path
        for path in [TEMPLATES_DIR / "base.html", *(TEMPLATES_DIR / "portal").rglob("*.html")]
        if MAIL_PREVIEWS not in path.parents
    ),
    ids=lambda path: str(path.relative_to(TEMPLATES_DIR)),
)
def test_no_portal_template_holds_inline_script_or_style(template: Path) -> None:
    assert not INLINE.search(template.read_text()), template
