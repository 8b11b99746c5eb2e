"""`flask --app portal oidc ...`: register single sign-on services, rotate the signing key."""

import json

import click
from flask.cli import AppGroup

from portal.config import log_to_stderr
from portal.extensions import db
from portal.oidc.server import signing_keys
from portal.refusals import refusals_reported
from portal.wiring import now
from shared.oidc.clients import register_client
from shared.oidc.tokens import TOKEN_LIFETIME

oidc = AppGroup(
    "oidc", help="Single sign-on: services (clients) and signing keys.", callback=log_to_stderr
)


@oidc.command("add-client")
@click.option("--name", required=True, help="The service's name, shown on the consent page.")
@click.option(
    "--redirect-uri", "redirect_uris", multiple=True, required=True,
    help="Where codes may be sent; matched exactly. Repeat for more.",
)  # fmt: skip
@click.option(
    "--post-logout-redirect-uri", "post_logout_uris", multiple=True,
    help="Where end-session may return to; matched exactly. Repeat for more.",
)  # fmt: skip
@click.option("--public", is_flag=True, help="No secret (browser or app); PKCE S256 required.")
@click.option("--first-party", is_flag=True, help="The library's own service: no consent page.")
def add_client(
    name: str,
    redirect_uris: tuple[str, ...],
    post_logout_uris: tuple[str, ...],
    public: bool,
    first_party: bool,
) -> None:
    """Register a service; prints {"client_id", "client_secret"} once (only a hash is kept)."""
    with refusals_reported():
        uris, logout_uris = list(redirect_uris), list(post_logout_uris)
        client, secret = register_client(
            db.session(), name, uris, logout_uris, public, first_party, now=now()
        )
    db.session.commit()
    click.echo(json.dumps({"client_id": client.client_id, "client_secret": secret}))


@oidc.command("rotate-keys")
def rotate_keys() -> None:
    """Sign with a new key from now on; the old one stays in the JWKS until its tokens expire."""
    rotation = signing_keys().rotate(now(), TOKEN_LIFETIME)
    click.echo(
        f"signing with {rotation.kid}; {rotation.retired_kid} stays in the JWKS "
        f"until {rotation.retires_at:%Y-%m-%d %H:%M:%S} UTC"
    )
