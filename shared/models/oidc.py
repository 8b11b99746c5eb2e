"""Single sign-on (OpenID Connect): registered services, codes, tokens, consents, subjects.

The classes also implement the small interfaces Authlib's grants ask of clients, codes and tokens.
Secrets, codes and access tokens are random, so the database keeps only their SHA-256.
"""

import hashlib
import hmac
from datetime import datetime

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from authlib.oidc.core import AuthorizationCodeMixin
from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base
from shared.models.account import LoginAccount

PUBLIC_AUTH_METHOD = "none"
SECRET_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


def secret_hash(secret: str) -> str:
    """What the database keeps of a random secret, code or token."""
    return hashlib.sha256(secret.encode()).hexdigest()


class OidcClient(Base, ClientMixin):
    """A service (relying party) that logs patrons in through the portal."""

    __tablename__ = "oidc_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(48), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    post_logout_redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    first_party: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]

    @property
    def is_public(self) -> bool:
        """A public client (in a browser or an app) has no secret and must use PKCE."""
        return self.secret_hash is None

    @property
    def client_metadata(self) -> dict[str, list[str]]:
        """The metadata Authlib's end-session and userinfo endpoints read."""
        return {"post_logout_redirect_uris": list(self.post_logout_redirect_uris)}

    def get_client_id(self) -> str:
        """The public identifier."""
        return self.client_id

    # Authlib reads None as "no default" (its stubs say str only).
    def get_default_redirect_uri(self) -> None:  # type: ignore[override]
        """None: every authorization request must name its redirect URI."""
        return None

    # Authlib hands it the request's scope string; its stubs widen that to a collection too.
    def get_allowed_scope(self, scope: str) -> str:  # type: ignore[override]
        """Every supported scope (the server refuses the others before this is asked)."""
        return scope or ""

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Only a registered redirect URI, character for character."""
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        """Whether the secret is this client's, in constant time."""
        if self.secret_hash is None:
            return False
        return hmac.compare_digest(self.secret_hash, secret_hash(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """Public clients authenticate with nothing, confidential ones with their secret."""
        return method == PUBLIC_AUTH_METHOD if self.is_public else method in SECRET_AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        """The authorization code flow only."""
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        """The authorization code grant only (no refresh tokens)."""
        return grant_type == "authorization_code"


class OidcAuthorizationCode(Base, AuthorizationCodeMixin):
    """A one-time code handed to a client's redirect URI, exchanged for tokens within minutes."""

    __tablename__ = "oidc_authorization_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("oidc_client.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("login_account.id", ondelete="CASCADE"), index=True
    )
    redirect_uri: Mapped[str] = mapped_column(String(500))
    scope: Mapped[str] = mapped_column(String(200))
    nonce: Mapped[str | None] = mapped_column(String(200))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    auth_time: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)

    account: Mapped[LoginAccount] = relationship()

    def get_redirect_uri(self) -> str:
        """The redirect URI of the authorization request."""
        return self.redirect_uri

    def get_scope(self) -> str:
        """The scopes the patron granted."""
        return self.scope

    def get_nonce(self) -> str | None:
        """The client's nonce, repeated in the ID token."""
        return self.nonce

    def get_auth_time(self) -> int:
        """When the patron logged in, in seconds since the epoch."""
        return int(self.auth_time.timestamp())


class OidcToken(Base, TokenMixin):
    """An access token for the userinfo endpoint."""

    __tablename__ = "oidc_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("oidc_client.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("login_account.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[str] = mapped_column(String(200))
    # The code it was issued for (its hash outlives the code): a replayed code revokes it.
    code_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)

    client: Mapped[OidcClient] = relationship()
    account: Mapped[LoginAccount] = relationship()

    def check_client(self, client: OidcClient) -> bool:
        """Whether the token was issued to this client."""
        return self.client_id == client.id

    def get_scope(self) -> str:
        """The granted scopes."""
        return self.scope

    def get_expires_in(self) -> int:
        """Lifetime in seconds from issue."""
        return int((self.expires_at - self.issued_at).total_seconds())

    def is_expired(self) -> bool:
        """Never, once found: `find_token` hands out only tokens unexpired by the app's clock."""
        return False

    def is_revoked(self) -> bool:
        """Never, once found: revoking a token deletes it (a replayed code, a blocked login)."""
        return False

    def get_user(self) -> LoginAccount:
        """The patron's login account."""
        return self.account

    def get_client(self) -> OidcClient:
        """The client the token was issued to."""
        return self.client


class OidcConsent(Base):
    """The scopes a patron allowed a (not first-party) service; asked once per service."""

    __tablename__ = "oidc_consent"
    __table_args__ = (UniqueConstraint("account_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("login_account.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(
        ForeignKey("oidc_client.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime]


class OidcSubject(Base):
    """The `sub` claim of a login account: random, stable, the same for every service."""

    __tablename__ = "oidc_subject"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("login_account.id", ondelete="CASCADE"), unique=True
    )
    subject: Mapped[str] = mapped_column(String(64), unique=True)
