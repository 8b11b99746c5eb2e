"""Single sign-on: discovery, keys, client registration, the code flow with PKCE, consent, tokens,
userinfo claims, key rotation, end-session."""

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import select, update

from portal.extensions import db
from portal.oidc.server import signing_keys
from portal.wiring import now
from shared.models.catalogue import Branch
from shared.models.oidc import OidcClient, OidcToken, secret_hash
from shared.models.patron import Patron
from shared.oidc.tokens import TOKEN_LIFETIME
from shared.timeutil import local_today
from tests.support.accounts import give_card, log_in, member
from tests.support.oidc import (
    LOGOUT_URI,
    REDIRECT_URI,
    add_service,
    allow,
    authorize_url,
    code_for,
    exchange,
    pkce_pair,
    redirect_params,
    tokens_for,
)
from tests.support.signup import csrf_token


@pytest.fixture
def patron(client: FlaskClient) -> Patron:
    """A paying patron, logged in in `client`."""
    patron = member(client)
    assert log_in(client, patron.customer_number).status_code == 303
    return patron


def verified(client: FlaskClient, id_token: str) -> jwt.Token:
    """The ID token, after checking its signature against the JWKS."""
    keys = KeySet.import_key_set(client.get("/oidc/jwks").json)
    return jwt.decode(id_token, keys, algorithms=["RS256"])


def test_discovery_document(client: FlaskClient, app: Flask) -> None:
    document = client.get("/.well-known/openid-configuration").json
    issuer = app.config["PUBLIC_URL"]
    assert document["issuer"] == issuer
    for name, path in {
        "authorization_endpoint": "/oidc/authorize",
        "token_endpoint": "/oidc/token",
        "userinfo_endpoint": "/oidc/userinfo",
        "jwks_uri": "/oidc/jwks",
        "end_session_endpoint": "/oidc/logout",
    }.items():
        assert document[name] == issuer + path
    assert document["scopes_supported"] == ["openid", "profile", "email", "library"]
    assert document["response_types_supported"] == ["code"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "none" in document["token_endpoint_auth_methods_supported"]
    assert {"preferred_username", "library", "email_verified"} <= set(document["claims_supported"])


def test_jwks_publishes_the_public_key_kept_privately_in_the_instance_folder(
    client: FlaskClient, app: Flask
) -> None:
    (key,) = client.get("/oidc/jwks").json["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert "d" not in key and "p" not in key
    pem = Path(app.instance_path) / "oidc-keys" / f"{key['kid']}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600


def test_add_client_prints_id_and_secret_once_and_keeps_a_hash(app: Flask) -> None:
    confidential = add_service(app)
    public = add_service(app, "--public", name="Catalogue app")
    assert confidential["client_secret"] and public["client_secret"] is None
    stored = db.session.scalars(select(OidcClient).order_by(OidcClient.id)).all()
    assert [c.client_id for c in stored] == [confidential["client_id"], public["client_id"]]
    assert stored[0].secret_hash == secret_hash(confidential["client_secret"])
    assert stored[1].secret_hash is None
    assert stored[0].post_logout_redirect_uris == [LOGOUT_URI]


@pytest.mark.parametrize(
    "uri", ["http://e-books.example.nl/callback", "/callback", "https://x.nl/cb#fragment"]
)
def test_add_client_refuses_unsafe_redirect_uris(app: Flask, uri: str) -> None:
    result = app.test_cli_runner().invoke(
        args=["oidc", "add-client", "--name", "X", "--redirect-uri", uri]
    )
    assert result.exit_code != 0 and "invalid_redirect_uri" in result.output


@pytest.mark.parametrize(
    "near_miss",
    [
        REDIRECT_URI + "/",
        REDIRECT_URI.upper(),
        REDIRECT_URI + "?next=/evil",
        REDIRECT_URI.replace("https", "http"),
        "https://e-books.example.nl.evil.example/callback",
    ],
)
def test_a_near_miss_redirect_uri_is_refused_without_redirecting(
    client: FlaskClient, app: Flask, patron: Patron, near_miss: str
) -> None:
    service = add_service(app, "--first-party")
    response = client.get(authorize_url(service["client_id"], redirect_uri=near_miss))
    assert response.status_code == 400 and "Location" not in response.headers
    assert "invalid_request" in response.get_data(as_text=True)


def test_unknown_client_or_missing_redirect_uri_is_refused_here(
    client: FlaskClient, app: Flask
) -> None:
    service = add_service(app)
    assert client.get(authorize_url("no-such-client")).status_code == 400
    assert client.get(authorize_url(service["client_id"], redirect_uri=None)).status_code == 400


def test_public_client_must_use_pkce_with_s256(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app, "--public", "--first-party")
    client_id = service["client_id"]
    _, challenge = pkce_pair()
    missing = redirect_params(client.get(authorize_url(client_id)))
    assert missing["error"] == "invalid_request" and missing["state"] == "state-123"
    plain = authorize_url(client_id, code_challenge=challenge, code_challenge_method="plain")
    assert redirect_params(client.get(plain))["error"] == "invalid_request"
    implicit_plain = authorize_url(client_id, code_challenge=challenge)
    assert redirect_params(client.get(implicit_plain))["error"] == "invalid_request"


def test_public_client_gets_tokens_with_the_right_verifier_only(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app, "--public", "--first-party")
    client_id = service["client_id"]
    verifier, challenge = pkce_pair()
    s256 = {"code_challenge": challenge, "code_challenge_method": "S256"}
    code = code_for(client, client_id, **s256)
    wrong = exchange(client, code, (client_id, None), code_verifier=pkce_pair()[0])
    assert wrong.status_code == 400 and wrong.json["error"] == "invalid_grant"
    code = code_for(client, client_id, **s256)
    missing = exchange(client, code, (client_id, None))
    assert missing.status_code == 400 and missing.json["error"] == "invalid_request"
    code = code_for(client, client_id, **s256)
    response = exchange(client, code, (client_id, None), code_verifier=verifier)
    assert response.status_code == 200, response.json
    assert {"access_token", "id_token", "expires_in"} <= set(response.json)
    assert "refresh_token" not in response.json


def test_not_logged_in_goes_to_the_login_page_and_comes_back(
    client: FlaskClient, app: Flask
) -> None:
    patron = member(client)
    service = add_service(app, "--first-party")
    url = authorize_url(service["client_id"])
    response = client.get(url)
    assert response.status_code == 302 and response.location.startswith("/inloggen?next=")
    back = log_in(client, patron.customer_number, next_path=response.location.split("next=")[1])
    assert back.status_code == 303
    assert "code" in redirect_params(client.get(back.location))


def test_prompt_login_asks_for_the_password_again(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app, "--first-party")
    response = client.get(authorize_url(service["client_id"], prompt="login"))
    assert response.location.startswith("/inloggen?next=")
    assert "prompt" not in response.location
    assert client.get("/mijn-account").status_code == 302  # logged out until the password


def test_prompt_none_answers_without_a_page(client: FlaskClient, app: Flask) -> None:
    patron = member(client)
    service = add_service(app)
    silent = authorize_url(service["client_id"], prompt="none")
    assert redirect_params(client.get(silent))["error"] == "login_required"
    log_in(client, patron.customer_number)
    assert redirect_params(client.get(silent))["error"] == "consent_required"


def test_consent_is_asked_once_per_client_then_remembered(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app, name="E-books of the province")
    url = authorize_url(service["client_id"])
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "E-books of the province" in text and 'value="allow"' in text
    assert "code" in redirect_params(allow(client, url))
    again = client.get(authorize_url(service["client_id"]))
    assert "code" in redirect_params(again)
    other = add_service(app, name="Catalogue")
    assert client.get(authorize_url(other["client_id"])).status_code == 200


def test_consent_is_asked_again_for_more_scopes(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app)
    allow(client, authorize_url(service["client_id"], scope="openid"))
    assert client.get(authorize_url(service["client_id"])).status_code == 200


def test_refusing_consent_sends_access_denied(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app)
    url = authorize_url(service["client_id"])
    token = csrf_token(client.get(url))
    response = client.post(url, data={"csrf_token": token, "decision": "deny"})
    answer = redirect_params(response)
    assert answer["error"] == "access_denied" and answer["state"] == "state-123"
    assert "code" not in answer
    assert client.get(url).status_code == 200  # nothing remembered


def test_first_party_client_skips_consent(client: FlaskClient, app: Flask, patron: Patron) -> None:
    service = add_service(app, "--first-party")
    response = client.get(authorize_url(service["client_id"]))
    assert response.location.startswith(REDIRECT_URI + "?code=")


def test_token_endpoint_errors(client: FlaskClient, app: Flask, patron: Patron) -> None:
    service = add_service(app, "--first-party")
    auth = (service["client_id"], service["client_secret"])
    bad_secret = exchange(client, code_for(client, auth[0]), (auth[0], "wrong"))
    assert bad_secret.status_code == 401 and bad_secret.json["error"] == "invalid_client"
    basic = client.post(
        "/oidc/token",
        data={"grant_type": "authorization_code", "code": "x", "redirect_uri": REDIRECT_URI},
        auth=(auth[0], "wrong"),
    )
    assert basic.status_code == 401 and basic.json["error"] == "invalid_client"
    code = code_for(client, auth[0])
    other_uri = exchange(client, code, auth, redirect_uri=REDIRECT_URI + "/")
    assert other_uri.json["error"] == "invalid_grant"
    assert exchange(client, code, auth).status_code == 200
    assert exchange(client, code, auth).json["error"] == "invalid_grant"  # used once
    assert exchange(client, "made-up", auth).json["error"] == "invalid_grant"
    wrong_grant = exchange(client, "x", auth, grant_type="password")
    assert wrong_grant.json["error"] == "unsupported_grant_type"
    other = add_service(app, "--first-party", name="Other")
    stolen = exchange(
        client, code_for(client, auth[0]), (other["client_id"], other["client_secret"])
    )
    assert stolen.json["error"] == "invalid_grant"
    assert client.get("/oidc/token").status_code == 405


def test_id_token_is_signed_for_the_client(client: FlaskClient, app: Flask, patron: Patron) -> None:
    service = add_service(app, "--first-party")
    response = tokens_for(client, service, nonce="n-0S6_WzA2Mj")
    claims = verified(client, response["id_token"]).claims
    assert claims["iss"] == app.config["PUBLIC_URL"]
    assert claims["aud"] == service["client_id"]
    assert claims["nonce"] == "n-0S6_WzA2Mj"
    assert claims["exp"] - claims["iat"] == TOKEN_LIFETIME.total_seconds()
    assert claims["auth_time"] <= claims["iat"]
    assert claims["at_hash"]


def userinfo(client: FlaskClient, access_token: str) -> dict:
    """The userinfo endpoint's answer for a token."""
    response = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {access_token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def test_userinfo_gives_the_claims_of_the_granted_scopes(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app, "--first-party")
    only_openid = userinfo(client, tokens_for(client, service, scope="openid")["access_token"])
    assert list(only_openid) == ["sub"]
    claims = userinfo(client, tokens_for(client, service)["access_token"])
    assert claims == {
        "sub": only_openid["sub"],
        "name": "Marieke van Dijk",
        "given_name": "Marieke",
        "family_name": "van Dijk",
        "preferred_username": patron.temporary_number,
        "locale": "nl",
        "email": "marieke@example.nl",
        "email_verified": True,
        "library": {
            "isil": "NL-083076",
            "subscription_valid": True,
            "online_library": True,
            "guest": False,
            "loan_strips": 0,
        },
    }
    assert patron.temporary_number not in claims["sub"] and len(claims["sub"]) >= 32


def test_preferred_username_is_the_main_card_and_sub_stays(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app, "--first-party")
    before = userinfo(client, tokens_for(client, service)["access_token"])
    give_card(patron, "52700000099999", role="secondary")
    give_card(patron, "52700000012345")
    after = userinfo(client, tokens_for(client, service)["access_token"])
    assert after["preferred_username"] == "52700000012345"
    assert after["sub"] == before["sub"]


@pytest.mark.parametrize(
    ("change", "valid", "online"),
    [
        ({"type_code": "0021"}, True, False),  # Start: no online library
        ({"status": "invalid"}, False, False),
        ({"status": "cancelled"}, True, True),  # runs to its end date
        ({"end_date": lambda today: today - timedelta(days=2)}, False, False),
    ],
)
def test_library_claim_follows_the_subscription(
    client: FlaskClient, app: Flask, patron: Patron, change: dict, valid: bool, online: bool
) -> None:
    service = add_service(app, "--first-party")
    subscription = db.session.get(Patron, patron.id).subscriptions[0]
    for name, value in change.items():
        setattr(subscription, name, value(local_today(now())) if callable(value) else value)
    db.session.commit()
    claims = userinfo(client, tokens_for(client, service, scope="openid library")["access_token"])
    assert claims["library"] == {
        "isil": "NL-083076",
        "subscription_valid": valid,
        "online_library": online,
        "guest": False,
        "loan_strips": 0,
    }


def test_userinfo_refuses_bad_tokens(client: FlaskClient, app: Flask, patron: Patron) -> None:
    service = add_service(app, "--first-party")
    assert client.get("/oidc/userinfo").status_code == 401
    bad = client.get("/oidc/userinfo", headers={"Authorization": "Bearer made-up"})
    assert bad.status_code == 401 and "invalid_token" in bad.headers["WWW-Authenticate"]
    token = tokens_for(client, service)["access_token"]
    db.session.execute(update(OidcToken).values(expires_at=now()))
    db.session.commit()
    expired = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert expired.status_code == 401


def test_scope_must_include_openid_and_only_known_scopes(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app, "--first-party")
    for scope in ("profile email", "openid phone"):
        answer = redirect_params(client.get(authorize_url(service["client_id"], scope=scope)))
        assert answer["error"] == "invalid_scope" and answer["state"] == "state-123"


def test_rotation_keeps_the_old_key_until_its_tokens_expired(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app, "--first-party")
    old_token = tokens_for(client, service)["id_token"]
    (old_key,) = client.get("/oidc/jwks").json["keys"]
    result = app.test_cli_runner().invoke(args=["oidc", "rotate-keys"])
    assert result.exit_code == 0 and old_key["kid"] in result.output
    kids = [key["kid"] for key in client.get("/oidc/jwks").json["keys"]]
    assert len(kids) == 2 and kids[1] == old_key["kid"]
    assert verified(client, old_token).header["kid"] == old_key["kid"]
    assert verified(client, tokens_for(client, service)["id_token"]).header["kid"] == kids[0]
    store = signing_keys()
    later = now() + TOKEN_LIFETIME + timedelta(seconds=1)
    assert [key["kid"] for key in store.public_jwks(later)["keys"]] == [kids[0]]
    store.rotate(later, TOKEN_LIFETIME)
    assert not (store.directory / f"{old_key['kid']}.pem").exists()


def test_end_session_with_id_token_hint_logs_out_and_returns(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app, "--first-party")
    id_token = tokens_for(client, service)["id_token"]
    response = client.get(
        "/oidc/logout?"
        + f"id_token_hint={id_token}&post_logout_redirect_uri={LOGOUT_URI}&state=bye-1"
    )
    assert response.status_code == 302 and response.location == f"{LOGOUT_URI}?state=bye-1"
    assert client.get("/mijn-account").status_code == 302


def test_end_session_redirects_only_to_a_registered_uri(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app, "--first-party")
    id_token = tokens_for(client, service)["id_token"]
    response = client.get(
        f"/oidc/logout?id_token_hint={id_token}&post_logout_redirect_uri={LOGOUT_URI}/"
    )
    assert response.status_code == 200 and "Location" not in response.headers
    assert client.get("/mijn-account").status_code == 302


def test_end_session_without_hint_asks_first(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    page = client.get(f"/oidc/logout?post_logout_redirect_uri={LOGOUT_URI}")
    assert page.status_code == 200 and 'name="confirm"' in page.get_data(as_text=True)
    assert client.get("/mijn-account").status_code == 200  # still logged in
    forged = client.post("/oidc/logout", data={"confirm": "1"})
    assert forged.status_code == 200 and client.get("/mijn-account").status_code == 200
    confirmed = client.post("/oidc/logout", data={"confirm": "1", "csrf_token": csrf_token(page)})
    assert confirmed.status_code == 200 and "Location" not in confirmed.headers
    assert client.get("/mijn-account").status_code == 302


def test_malformed_parameters_are_refused_by_name_and_echoed_nowhere(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app, "--first-party")
    client_id = service["client_id"]
    here = client.get(authorize_url(client_id, redirect_uri=REDIRECT_URI + "\x01"))
    assert here.status_code == 400 and "Location" not in here.headers
    assert "invalid_request" in here.get_data(as_text=True)
    back = redirect_params(client.get(authorize_url(client_id, response_type='"')))
    assert back["error"] == "invalid_request" and back["state"] == "state-123"
    assert "response_type" in back["error_description"]
    twice = client.get(authorize_url(client_id) + "&scope=openid")
    assert redirect_params(twice)["error"] == "invalid_request"
    data = {"grant_type": "authorization_code", "code": "x", "redirect_uri": REDIRECT_URI}
    basic = client.post("/oidc/token", data=data, headers={"Authorization": "Basic w7w="})
    assert basic.status_code == 400 and basic.json["error"] == "invalid_request"
    repeated = client.post("/oidc/token", data={**data, "client_id": [client_id, client_id]})
    assert repeated.status_code == 400 and repeated.json["error"] == "invalid_request"


def test_a_replayed_code_revokes_the_tokens_issued_for_it(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app, "--first-party")
    auth = (service["client_id"], service["client_secret"])
    code = code_for(client, auth[0])
    first = exchange(client, code, auth)
    assert first.status_code == 200
    kept = tokens_for(client, service)["access_token"]  # from another code: it stays
    replay = exchange(client, code, auth)
    assert replay.status_code == 400 and replay.json["error"] == "invalid_grant"
    revoked = client.get(
        "/oidc/userinfo", headers={"Authorization": f"Bearer {first.json['access_token']}"}
    )
    assert revoked.status_code == 401
    assert userinfo(client, kept)["sub"]


def test_a_failed_pkce_verification_uses_the_code_up(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app, "--public", "--first-party")
    client_id = service["client_id"]
    verifier, challenge = pkce_pair()
    s256 = {"code_challenge": challenge, "code_challenge_method": "S256"}
    for wrong in ({"code_verifier": pkce_pair()[0]}, {"code_verifier": "short"}, {}):
        code = code_for(client, client_id, **s256)
        assert exchange(client, code, (client_id, None), **wrong).status_code == 400
        late = exchange(client, code, (client_id, None), code_verifier=verifier)
        assert late.status_code == 400 and late.json["error"] == "invalid_grant", wrong


def test_the_library_claim_names_the_home_branchs_own_isil(
    client: FlaskClient, app: Flask, patron: Patron
) -> None:
    service = add_service(app, "--first-party")
    roden = db.session.scalars(select(Branch).where(Branch.code == "9453")).one()
    db.session.get_one(Patron, patron.id).home_branch = roden
    db.session.commit()
    claims = userinfo(client, tokens_for(client, service, scope="openid library")["access_token"])
    assert claims["library"]["isil"] == "NL-070297"
