"""Authlib's OpenID Connect provider, wired to the shared single sign-on services."""

import logging
from pathlib import Path
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import (
    ClientMixin,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
    grants,
)
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc import core as oidc_core
from authlib.oidc.rpinitiated import EndSessionEndpoint, EndSessionRequest
from flask import Flask, current_app, g, session
from flask_login import logout_user
from joserfc.jwk import RSAKey

from portal.auth_session import login_time
from portal.extensions import db
from portal.wiring import external_url, now
from shared.models.account import LoginAccount
from shared.models.oidc import OidcAuthorizationCode, OidcClient, OidcToken, secret_hash
from shared.oidc import tokens
from shared.oidc.claims import SCOPES, supported_scope, user_claims
from shared.oidc.clients import find_client
from shared.oidc.keys import ALGORITHM, SigningKeys

log = logging.getLogger(__name__)
TOKEN_SECONDS = int(tokens.TOKEN_LIFETIME.total_seconds())
CLAIMS_SUPPORTED = [
    "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "given_name", "family_name",
    "preferred_username", "locale", "email", "email_verified", "library",
]  # fmt: skip


def issuer() -> str:
    """The issuer identifier: the portal's public address."""
    return str(current_app.config["PUBLIC_URL"]).rstrip("/")


def signing_keys(app: Flask | None = None) -> SigningKeys:
    """The key store every portal process shares (OIDC_KEY_DIR)."""
    return SigningKeys(Path((app or current_app).config["OIDC_KEY_DIR"]))


def log_out() -> None:
    """End the patron's portal session: Flask-Login's and everything else in it."""
    logout_user()
    session.clear()


def _signing_key() -> RSAKey:
    """The current key, read once per request so header and signature always agree."""
    if "oidc_signing_key" not in g:
        g.oidc_signing_key = signing_keys().current()
    return g.oidc_signing_key


def payload_of(request: OAuth2Request) -> OAuth2Payload:
    """The request's parameters: Authlib parses them before it hands the request on."""
    assert request.payload is not None
    return request.payload


def _ours(client: ClientMixin | None) -> OidcClient:
    """A request's client, once Authlib has found it: always one of ours (_query_client)."""
    assert isinstance(client, OidcClient)
    return client


def _code_of(request: OAuth2Request) -> OidcAuthorizationCode:
    """A token request's code, once Authlib has found it."""
    assert isinstance(request.authorization_code, OidcAuthorizationCode)
    return request.authorization_code


def _account_of(request: OAuth2Request) -> LoginAccount:
    """The patron a request is granted for, once Authlib has set them."""
    assert isinstance(request.user, LoginAccount)
    return request.user


def _claims(account: LoginAccount, scope: str) -> oidc_core.UserInfo:
    """The patron's claims for the granted scopes."""
    return oidc_core.UserInfo(user_claims(db.session(), account, scope, now()))


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    """The code flow; public clients authenticate with nothing but their PKCE verifier."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def validate_authorization_request(self) -> str:
        """Authlib's checks, and the scope must include openid (this is a login, not an API)."""
        redirect_uri = super().validate_authorization_request()
        if "openid" not in self.request.scope.split():
            raise InvalidScopeError("The scope must include 'openid'.", redirect_uri=redirect_uri)
        return redirect_uri

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        """Store the code with everything the token request must match."""
        payload = payload_of(request)
        data = payload.data
        code_request = tokens.CodeRequest(
            client=_ours(request.client),
            account=_account_of(request),
            redirect_uri=payload.redirect_uri,
            scope=request.scope,
            nonce=data.get("nonce"),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            auth_time=login_time() or now(),
        )
        tokens.store_code(db.session(), code, code_request, now())

    def query_authorization_code(
        self, code: str, client: ClientMixin
    ) -> OidcAuthorizationCode | None:
        """The unexpired, unused code of this client; a used one revokes its tokens."""
        found = tokens.find_code(db.session(), code, _ours(client), now())
        if found is None:
            _revoke_replayed(secret_hash(code), _ours(client))
        return found

    def delete_authorization_code(self, authorization_code: OidcAuthorizationCode) -> None:
        """Use the code up; a second, concurrent exchange of it fails and revokes both."""
        if not tokens.use_code(db.session(), authorization_code):
            _revoke_replayed(authorization_code.code_hash, _ours(self.request.client))
            raise InvalidGrantError("The code was already used.")

    def authenticate_user(self, authorization_code: OidcAuthorizationCode) -> LoginAccount | None:
        """The patron, unless the account was blocked since."""
        account = authorization_code.account
        return account if account.is_active else None


class S256CodeChallenge(CodeChallenge):
    """PKCE with S256 only, required of public clients."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: AuthorizationCodeGrant, redirect_uri: str) -> None:
        """Refuse a public client without a challenge, and any method but S256."""
        data = payload_of(grant.request).data
        if _ours(grant.request.client).is_public and not data.get("code_challenge"):
            raise InvalidRequestError("Public clients must use PKCE: send a 'code_challenge'.")
        if data.get("code_challenge") and data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("The 'code_challenge_method' must be S256.")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: AuthorizationCodeGrant, result: object) -> None:
        """Authlib's check; a failed one uses the code up, so guessing verifiers gets one try."""
        try:
            super().validate_code_verifier(grant, result)
        except OAuth2Error:
            tokens.use_code(db.session(), _code_of(grant.request))
            raise


class OpenIDCode(oidc_core.OpenIDCode):
    """ID tokens: RS256 with the current key, our issuer, the patron's claims."""

    DEFAULT_EXPIRES_IN = TOKEN_SECONDS

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        """Whether the nonce is already bound to an unused code (a replayed request)."""
        return tokens.nonce_in_use(db.session(), _ours(request.client), nonce)

    def resolve_client_private_key(self, client: OidcClient) -> RSAKey:
        """The current signing key."""
        return _signing_key()

    def get_client_algorithm(self, client: OidcClient) -> str:
        """RS256 for every client."""
        return ALGORITHM

    def get_encode_header(self, client: OidcClient) -> dict[str, str]:
        """The header names the key, so clients find it in the JWKS after a rotation."""
        return {"alg": ALGORITHM, "kid": str(_signing_key().kid)}

    def get_client_claims(self, client: OidcClient) -> dict[str, Any]:
        """Issuer and audience (one client, as a string: end-session finds the client by it)."""
        return {"iss": issuer(), "aud": client.client_id}

    def generate_user_info(self, user: LoginAccount, scope: str) -> oidc_core.UserInfo:
        """The claims the scopes allow."""
        return _claims(user, scope)


class UserInfoEndpoint(oidc_core.UserInfoEndpoint):
    """The userinfo endpoint: the claims of the token's scopes, as JSON."""

    def get_issuer(self) -> str:
        """The issuer identifier."""
        return issuer()

    def generate_user_info(self, user: LoginAccount, scope: str) -> oidc_core.UserInfo:
        """The claims the scopes allow."""
        return _claims(user, scope)


class EndSession(EndSessionEndpoint):
    """RP-initiated logout: ends the patron's portal session."""

    def get_server_jwks(self) -> dict[str, Any]:
        """Every key whose ID tokens may still come back as id_token_hint."""
        return signing_keys().public_jwks(now())

    def get_algorithms(self) -> list[str]:
        """RS256 only."""
        return [ALGORITHM]

    def end_session(self, end_session_request: EndSessionRequest) -> None:
        """Log the patron out."""
        log_out()


class BearerToken(BearerTokenValidator):
    """Access tokens from our database."""

    def authenticate_token(self, token_string: str) -> OidcToken | None:
        """The stored token with this value."""
        return tokens.find_token(db.session(), token_string, now())


def _query_client(client_id: str) -> OidcClient | None:
    """The registered client with this id."""
    return find_client(db.session(), client_id)


def _save_token(token: dict[str, Any], request: OAuth2Request) -> None:
    """Store an access token issued for the request's code."""
    tokens.store_token(db.session(), token["access_token"], _code_of(request), now())


def _revoke_replayed(code_hash: str, client: OidcClient) -> None:
    """A code came back after its use: end the tokens issued for it (RFC 6749 §4.1.2)."""
    revoked = tokens.revoke_from_code(db.session(), code_hash, client.id)
    if revoked:
        log.warning("a used code of %s came back: %d access token(s) revoked", client.name, revoked)


def provider_metadata() -> dict[str, Any]:
    """The discovery document."""
    return {
        "issuer": issuer(),
        "authorization_endpoint": external_url("oidc.authorize"),
        "token_endpoint": external_url("oidc.token"),
        "userinfo_endpoint": external_url("oidc.userinfo"),
        "jwks_uri": external_url("oidc.jwks"),
        "end_session_endpoint": external_url("oidc.end_session"),
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "token_endpoint_auth_methods_supported": AuthorizationCodeGrant.TOKEN_ENDPOINT_AUTH_METHODS,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": CLAIMS_SUPPORTED,
    }


class Server(AuthorizationServer):
    """The provider: Authlib's, knowing the scope of one library's claim (`library:<ISIL>`)."""

    def validate_requested_scope(self, scope: str | None) -> None:
        """Refuse a scope the provider does not know."""
        if scope and not all(supported_scope(word) for word in scope.split()):
            raise InvalidScopeError()


server = Server(query_client=_query_client, save_token=_save_token)
server.register_grant(AuthorizationCodeGrant, [S256CodeChallenge(required=True), OpenIDCode()])
resource_protector = ResourceProtector()
resource_protector.register_token_validator(BearerToken())
# Authlib registers any endpoint object; its stubs want an Endpoint, which UserInfoEndpoint is not.
server.register_endpoint(UserInfoEndpoint(resource_protector=resource_protector))  # type: ignore[arg-type]
server.register_endpoint(EndSession)


def init_app(app: Flask) -> None:
    """Bind the server to an app and make its first signing key if it has none."""
    app.config.setdefault("OAUTH2_SCOPES_SUPPORTED", list(SCOPES))
    app.config.setdefault("OAUTH2_TOKEN_EXPIRES_IN", {"authorization_code": TOKEN_SECONDS})
    server.init_app(app)
    signing_keys(app).ensure()
