"""The floor of a token exchange: a minimal Authlib OpenID Connect provider after Authlib's own
example (Flask-SQLAlchemy on SQLite, Authlib's model mixins), with one client and one user who is
always logged in and consents; served as the portal is (waitress, 8 threads).
`python -m benchmarks.reference.oidc_provider PORT FOLDER` keeps its database in FOLDER."""

import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.sqla_oauth2 import (
    OAuth2AuthorizationCodeMixin,
    OAuth2ClientMixin,
    OAuth2TokenMixin,
    create_query_client_func,
    create_save_token_func,
)
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oidc.core import OpenIDCode, UserInfo
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from joserfc.jwk import RSAKey
from sqlalchemy import event
from waitress import serve

from benchmarks.reference.bare_page import THREADS

CLIENT_ID = "benchmark-client"
CLIENT_SECRET = "benchmark-client-secret"
REDIRECT_URI = "https://e-books.example.nl/callback"
SCOPE = "openid profile email library"
ISSUER = "https://provider.example.nl"
KEY = RSAKey.generate_key(2048, private=True)  # RS256 with a key as large as the portal's

db = SQLAlchemy()


class User(db.Model):  # type: ignore[name-defined]
    """The one patron."""

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), nullable=False)
    email = db.Column(db.String(120), nullable=False)

    def get_user_id(self) -> int:
        """Authlib asks the user's id this way."""
        return int(self.id)


class Client(db.Model, OAuth2ClientMixin):  # type: ignore[name-defined]
    """A registered service."""

    id = db.Column(db.Integer, primary_key=True)


class AuthorizationCode(db.Model, OAuth2AuthorizationCodeMixin):  # type: ignore[name-defined]
    """A code waiting for its exchange."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="CASCADE"))


class Token(db.Model, OAuth2TokenMixin):  # type: ignore[name-defined]
    """An issued access token."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="CASCADE"))


class CodeGrant(grants.AuthorizationCodeGrant):
    """The code flow with codes in the database, used up by deleting them."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: Any) -> None:
        """Store the code with what its exchange must match."""
        item = AuthorizationCode(
            code=code,
            client_id=request.client.client_id,
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            user_id=request.user.id,
            nonce=request.payload.data.get("nonce"),
            auth_time=int(time.time()),
        )
        db.session.add(item)
        db.session.commit()

    def query_authorization_code(self, code: str, client: ClientMixin) -> AuthorizationCode | None:
        """The client's unexpired code."""
        query = AuthorizationCode.query.filter_by(code=code, client_id=client.get_client_id())
        item = query.first()
        return item if item is not None and not item.is_expired() else None

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Use the code up."""
        db.session.delete(authorization_code)
        db.session.commit()

    def authenticate_user(self, authorization_code: AuthorizationCode) -> User | None:
        """The code's user."""
        return db.session.get(User, authorization_code.user_id)


class IdToken(OpenIDCode):
    """ID tokens signed RS256, with the user's name and e-mail."""

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        """Whether a waiting code already has this nonce."""
        query = AuthorizationCode.query.filter_by(client_id=request.payload.client_id, nonce=nonce)
        return query.first() is not None

    def resolve_client_private_key(self, client: Client) -> RSAKey:
        """The one signing key."""
        return KEY

    def get_client_algorithm(self, client: Client) -> str:
        """RS256, as the portal signs."""
        return "RS256"

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        """Issuer and audience."""
        return {"iss": ISSUER, "aud": client.client_id}

    def generate_user_info(self, user: User, scope: str) -> UserInfo:
        """The user's claims."""
        return UserInfo(sub=str(user.id), name=user.name, email=user.email, email_verified=True)


def provider_app(folder: Path) -> Flask:
    """The provider with its database in `folder`: one user, one client."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder / 'provider.sqlite3'}"
    db.init_app(app)
    server = AuthorizationServer(
        app,
        query_client=create_query_client_func(db.session, Client),
        save_token=create_save_token_func(db.session, Token),
    )
    server.register_grant(CodeGrant, [IdToken()])
    with app.app_context():
        event.listen(db.engine, "connect", _write_ahead_log)
        db.create_all()
        _register(db.session)

    @app.get("/oauth/authorize")
    def authorize() -> Any:
        """Grant the one user's code at once: logged in and consenting."""
        return server.create_authorization_response(grant_user=db.session.get(User, 1))

    @app.post("/oauth/token")
    def token() -> Any:
        """Exchange a code for tokens."""
        return server.create_token_response()

    return app


def _write_ahead_log(connection: sqlite3.Connection, _record: object) -> None:
    """WAL, as the portal's SQLite databases run."""
    connection.execute("PRAGMA journal_mode=WAL")


def _register(session: Any) -> None:
    """The user and the client."""
    session.add(User(id=1, name="Anna de Vries", email="anna@example.nl"))
    client = Client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, client_id_issued_at=0)
    client.set_client_metadata(
        {
            "redirect_uris": [REDIRECT_URI],
            "scope": SCOPE,
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_post",
        }
    )
    session.add(client)
    session.commit()


def main() -> None:
    """Serve the provider on PORT with its database in FOLDER."""
    port, folder = sys.argv[1], Path(sys.argv[2])
    serve(provider_app(folder), listen=f"127.0.0.1:{port}", threads=THREADS)


if __name__ == "__main__":
    main()
