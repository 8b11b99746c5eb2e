"""Single sign-on endpoints: discovery, JWKS, authorization (login, consent), token, userinfo,
end-session. Authlib does the protocol; these views add the patron's login and consent."""

from typing import cast
from urllib.parse import urlencode

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749.grants import BaseGrant
from authlib.oidc.core.errors import (
    ConsentRequiredError,
    InteractionRequiredError,
    LoginRequiredError,
)
from authlib.oidc.rpinitiated import EndSessionRequest
from flask import (
    Blueprint,
    Flask,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf.csrf import validate_csrf
from werkzeug.wrappers import Response
from wtforms import ValidationError

from portal.account.own_password import to_own_password
from portal.auth_session import login_time
from portal.extensions import csrf, db
from portal.oidc import server as provider
from portal.oidc import syntax
from portal.oidc.server import server
from portal.wiring import now
from shared.models.account import LoginAccount
from shared.oidc.claims import asked_library, subject
from shared.oidc.clients import find_client
from shared.oidc.consent import needs_consent, record_consent

bp = Blueprint("oidc", __name__)
SCOPE_DESCRIPTIONS = {
    "openid": _l("That you are logged in, with a code that is the same every time"),
    "profile": _l("Your name and the number you log in with"),
    "email": _l("Your e-mail address"),
    "library": _l(
        "Your library, and whether your subscription is valid and includes the online library"
    ),
}


def scope_description(scope: str) -> str:
    """What the consent page says a scope shares (`library:<ISIL>`: that library's claim)."""
    asked = asked_library([scope])
    if asked is None:
        return str(SCOPE_DESCRIPTIONS[scope])
    return _(
        "Your membership of library %(isil)s: whether it is valid and includes the online library",
        isil=asked,
    )


LOGOUT_FIELDS = ("id_token_hint", "client_id", "post_logout_redirect_uri", "state")
# Endpoints whose errors are JSON (the others are pages a browser shows, or a redirect).
JSON_ENDPOINTS = ("oidc.token", "oidc.userinfo")
# Where the parameters are checked before Authlib reads them; end-session checks its own.
CHECKED_ENDPOINTS = ("oidc.authorize", *JSON_ENDPOINTS)
# The parameters an authorization error is sent back with (RFC 6749 §4.1.2.1).
RETURN_PARAMETERS = {"client_id", "redirect_uri", "state"}


@bp.record_once
def _set_up(state: BlueprintSetupState) -> None:
    """Bind the provider to the app; make the first signing key on first start."""
    assert isinstance(state.app, Flask)  # typed as the sansio App base; the portal is a Flask app
    provider.init_app(state.app)


@bp.before_request
def refuse_malformed() -> None:
    """Parameters out of their syntax, too long or repeated never reach Authlib."""
    if request.endpoint in CHECKED_ENDPOINTS:
        names = syntax.malformed(request.values, request.headers.get("Authorization"))
        if names:
            error = InvalidRequestError(f"Malformed or repeated: {', '.join(names)}.")
            error.redirect_uri = _return_to_service(names)
            error.state = request.values.get("state") if error.redirect_uri else None
            raise error


def _return_to_service(malformed: list[str]) -> str | None:
    """Where an authorization error goes: the service's registered redirect URI, unless it,
    the client or the state is what is malformed (then the patron is told here)."""
    if request.endpoint != "oidc.authorize" or RETURN_PARAMETERS & set(malformed):
        return None
    client = find_client(db.session(), request.values.get("client_id", ""))
    redirect_uri = request.values.get("redirect_uri", "")
    return redirect_uri if client and client.check_redirect_uri(redirect_uri) else None


@bp.errorhandler(OAuth2Error)
def refused(error: OAuth2Error) -> Response:
    """An OAuth error: JSON from the token and userinfo endpoints; from the others back to the
    service when its redirect URI is known, else explained on a page here."""
    if request.endpoint in JSON_ENDPOINTS or error.redirect_uri:
        # Authlib's Flask server reads no request to answer an error; its stubs demand one.
        return _flask_response(server.handle_error_response(None, error))  # type: ignore[arg-type]
    return make_response(render_template("portal/oidc/error.html", error=error), 400)


@bp.get("/.well-known/openid-configuration")
def discovery() -> Response:
    """The discovery document."""
    return jsonify(provider.provider_metadata())


@bp.get("/oidc/jwks")
def jwks() -> Response:
    """The public signing keys: the current one and those of tokens that may still be valid."""
    return jsonify(provider.signing_keys().public_jwks(now()))


@bp.route("/oidc/authorize", methods=["GET", "POST"])
def authorize() -> Response:
    """Log the patron in if needed, ask consent once per service, send the code back."""
    account = current_user._get_current_object() if current_user.is_authenticated else None
    grant = server.get_consent_grant(end_user=account)
    if account is None or _must_log_in_again(grant, account):
        if "none" in request.values.get("prompt", "").split():
            state = grant.request.payload.state
            raise LoginRequiredError(redirect_uri=grant.redirect_uri, state=state)
        logout_user()
        return redirect(url_for("login.login", next=_return_path()))
    if account.password_must_change:
        return _own_password_first(grant)
    if not _asks_consent(grant, account):
        return _respond(grant, account)
    return _consent(grant, account)


@bp.post("/oidc/token")
@csrf.exempt
def token() -> Response:
    """Exchange a code (with the client's secret or PKCE verifier) for tokens."""
    response = _flask_response(server.create_token_response())
    db.session.commit()
    return response


@bp.route("/oidc/userinfo", methods=["GET", "POST"])
@csrf.exempt
def userinfo() -> Response:
    """The claims the access token's scopes allow."""
    response = server.create_endpoint_response("userinfo")
    db.session.commit()
    return response


@bp.route("/oidc/logout", methods=["GET", "POST"])
@csrf.exempt
def end_session() -> Response | str:
    """RP-initiated logout: with a valid id_token_hint at once, otherwise after confirming."""
    # Malformed parameters count as a bad id_token_hint: no redirect; logged out on confirming.
    logout = None if syntax.malformed(request.values, None) else _logout_request()
    if not _confirmed() and _logout_needs_confirmation(logout):
        fields = {name: request.values[name] for name in LOGOUT_FIELDS if name in request.values}
        return render_template("portal/oidc/logout.html", fields=fields)
    if logout is None:
        provider.log_out()
        return render_template("portal/oidc/logged_out.html")
    response = server.create_endpoint_response("end_session", logout)
    return response or render_template("portal/oidc/logged_out.html")


def _logout_request() -> EndSessionRequest | None:
    """The validated logout request; None for a bad id_token_hint."""
    try:
        # The request type of the endpoint registered as end_session (EndSession).
        return cast(EndSessionRequest, server.validate_endpoint_request("end_session"))
    except OAuth2Error:
        return None


def _respond(grant: BaseGrant, account: LoginAccount | None) -> Response:
    """Redirect to the service with a code (allowed) or access_denied (refused)."""
    response = _flask_response(
        server.create_authorization_response(grant_user=account, grant=grant)
    )
    db.session.commit()
    return response


def _must_log_in_again(grant: BaseGrant, account: LoginAccount) -> bool:
    """The service asked for a fresh login (prompt=login, or max_age passed since login)."""
    max_age = request.args.get("max_age", "")
    if grant.prompt == "login":
        return True
    if not max_age.isdigit():
        return False
    logged_in = login_time()
    return logged_in is None or (now() - logged_in).total_seconds() > int(max_age)


def _own_password_first(grant: BaseGrant) -> Response:
    """A one-time password is changed first, then back here; a service that asked for no
    interaction hears that it is needed."""
    if "none" in request.values.get("prompt", "").split():
        state = request.values.get("state")
        raise InteractionRequiredError(redirect_uri=grant.redirect_uri, state=state)
    return to_own_password(request.full_path)


def _return_path() -> str:
    """This request, without what asked for the fresh login, to come back to after it."""
    args = request.args.copy()
    args.poplist("max_age")
    prompts = [prompt for prompt in args.pop("prompt", "").split() if prompt != "login"]
    if prompts:
        args["prompt"] = " ".join(prompts)
    return f"{request.path}?{urlencode(list(args.items(multi=True)))}"


def _asks_consent(grant: BaseGrant, account: LoginAccount) -> bool:
    """Whether to show the consent page: asked for, or not yet given for these scopes."""
    scope = grant.request.scope
    return grant.prompt == "consent" or needs_consent(db.session(), grant.client, account, scope)


def _consent(grant: BaseGrant, account: LoginAccount) -> Response:
    """Ask the patron (never with prompt=none), or act on the answer to the consent page."""
    if "none" in request.values.get("prompt", "").split():
        state = provider.payload_of(grant.request).state
        raise ConsentRequiredError(redirect_uri=grant.redirect_uri, state=state)
    decision = request.form.get("decision") if request.method == "POST" else None
    if decision is None:
        scopes = [scope_description(scope) for scope in grant.request.scope.split()]
        return make_response(
            render_template("portal/oidc/consent.html", client=grant.client, scopes=scopes)
        )
    if decision != "allow":
        return _respond(grant, None)
    record_consent(db.session(), grant.client, account, grant.request.scope, now())
    return _respond(grant, account)


def _flask_response(answer: object) -> Response:
    """Authlib's Flask server answers with a Flask response; its stubs say only object."""
    return cast(Response, answer)


def _confirmed() -> bool:
    """Whether the patron pressed the logout confirmation button on our own page."""
    if request.method != "POST" or "confirm" not in request.form:
        return False
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def _logout_needs_confirmation(logout: EndSessionRequest | None) -> bool:
    """Ask first unless the service proved who it logs out (an id_token_hint of this patron)."""
    if not current_user.is_authenticated:
        return False
    if logout is None or logout.needs_confirmation:
        return True
    assert logout.id_token_claims is not None  # what needs_confirmation tells
    return logout.id_token_claims.get("sub") != subject(db.session(), current_user)
