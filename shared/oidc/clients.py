"""The registry of services that log patrons in through single sign-on."""

import secrets
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from shared.errors import DomainError
from shared.models.oidc import OidcClient, secret_hash
from shared.text import require_text

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# Every token exchange looks its client up: built once, not built and keyed again each time.
CLIENT_BY_ID = select(OidcClient).where(OidcClient.client_id == bindparam("client_id"))


def register_client(
    session: Session,
    name: str,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str],
    public: bool = False,
    first_party: bool = False,
    *,
    now: datetime,
) -> tuple[OidcClient, str | None]:
    """A new client with its secret (shown once; None for a public client)."""
    require_text("name", name, OidcClient.name)
    if not redirect_uris:
        raise DomainError("redirect_uri_missing")
    for uri in (*redirect_uris, *post_logout_redirect_uris):
        _check_uri(uri)
    secret = None if public else secrets.token_urlsafe(32)
    client = OidcClient(
        client_id=secrets.token_urlsafe(18),
        name=name,
        secret_hash=secret_hash(secret) if secret else None,
        redirect_uris=list(redirect_uris),
        post_logout_redirect_uris=list(post_logout_redirect_uris),
        first_party=first_party,
        created_at=now,
    )
    session.add(client)
    session.flush()
    return client, secret


def find_client(session: Session, client_id: str) -> OidcClient | None:
    """The client with this public identifier."""
    return session.scalar(CLIENT_BY_ID, {"client_id": client_id})


def _check_uri(uri: str) -> None:
    """An absolute https URI without fragment; plain http only on this machine (development)."""
    parts = urlsplit(uri)
    secure = parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    )
    if not secure or not parts.netloc or parts.fragment or "#" in uri:
        raise DomainError("invalid_redirect_uri", uri=uri)
