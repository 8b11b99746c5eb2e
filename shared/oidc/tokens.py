"""Authorization codes (one use, minutes) and access tokens (an hour), stored as hashes."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session, joinedload

from shared.db import rows_changed
from shared.models.account import LoginAccount
from shared.models.oidc import OidcAuthorizationCode, OidcClient, OidcToken, secret_hash

CODE_LIFETIME = timedelta(minutes=5)
# Access and ID tokens live this long; a rotated signing key stays in the JWKS as long.
TOKEN_LIFETIME = timedelta(hours=1)
# Every token exchange runs these: built once, they are not built and keyed again each time.
UNEXPIRED_CODE = (
    select(OidcAuthorizationCode)
    .where(
        OidcAuthorizationCode.code_hash == bindparam("code_hash"),
        OidcAuthorizationCode.client_id == bindparam("client"),
        OidcAuthorizationCode.expires_at > bindparam("now"),
    )
    .options(joinedload(OidcAuthorizationCode.account, innerjoin=True))
)
USE_CODE = (
    delete(OidcAuthorizationCode)
    .where(OidcAuthorizationCode.id == bindparam("code"))
    .execution_options(synchronize_session=False)
)


@dataclass(frozen=True)
class CodeRequest:
    """What an authorization request asked for, to be bound to its code."""

    client: OidcClient
    account: LoginAccount
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: datetime


def store_code(session: Session, code: str, request: CodeRequest, now: datetime) -> None:
    """Remember a code handed to the client, and forget expired codes and tokens."""
    delete_expired(session, now)
    session.add(
        OidcAuthorizationCode(
            code_hash=secret_hash(code),
            client_id=request.client.id,
            account_id=request.account.id,
            redirect_uri=request.redirect_uri,
            scope=request.scope,
            nonce=request.nonce,
            code_challenge=request.code_challenge,
            code_challenge_method=request.code_challenge_method,
            auth_time=request.auth_time,
            expires_at=now + CODE_LIFETIME,
        )
    )
    session.flush()


def find_code(
    session: Session, code: str, client: OidcClient, now: datetime
) -> OidcAuthorizationCode | None:
    """The unexpired code issued to this client, with its patron's login (read next)."""
    values = {"code_hash": secret_hash(code), "client": client.id, "now": now}
    return session.scalar(UNEXPIRED_CODE, values)


def nonce_in_use(session: Session, client: OidcClient, nonce: str) -> bool:
    """Whether an unused code of this client already carries the nonce (a replayed request)."""
    return (
        session.scalar(
            select(OidcAuthorizationCode.id).where(
                OidcAuthorizationCode.client_id == client.id, OidcAuthorizationCode.nonce == nonce
            )
        )
        is not None
    )


def use_code(session: Session, code: OidcAuthorizationCode) -> bool:
    """Delete the code; False when a concurrent request used it first."""
    return rows_changed(session, USE_CODE, {"code": code.id}) == 1


def store_token(
    session: Session, access_token: str, code: OidcAuthorizationCode, now: datetime
) -> None:
    """Remember an access token issued for a code (to its client, for its patron, its scope)."""
    session.add(
        OidcToken(
            access_token_hash=secret_hash(access_token),
            client_id=code.client_id,
            account_id=code.account_id,
            scope=code.scope,
            code_hash=code.code_hash,
            issued_at=now,
            expires_at=now + TOKEN_LIFETIME,
        )
    )
    session.flush()


def revoke_from_code(session: Session, code_hash: str, client_id: int) -> int:
    """End the access tokens a client got for a code (by its `secret_hash`): the code came back,
    so it may be stolen. How many there were."""
    statement = delete(OidcToken).where(
        OidcToken.code_hash == code_hash, OidcToken.client_id == client_id
    )
    return rows_changed(session, statement.execution_options(synchronize_session=False))


def find_token(session: Session, access_token: str, now: datetime) -> OidcToken | None:
    """The access token with this value, if it has not expired at `now`."""
    return session.scalar(
        select(OidcToken).where(
            OidcToken.access_token_hash == secret_hash(access_token), OidcToken.expires_at > now
        )
    )


def delete_expired(session: Session, now: datetime) -> None:
    """Forget codes and tokens past their lifetime."""
    for model in (OidcAuthorizationCode, OidcToken):
        session.execute(
            delete(model)
            .where(model.expires_at <= now)
            .execution_options(synchronize_session=False)
        )


def revoke_for_account(session: Session, account_id: int) -> None:
    """End every access token and unused code of a login (its password changed, or blocked)."""
    for model in (OidcAuthorizationCode, OidcToken):
        session.execute(
            delete(model)
            .where(model.account_id == account_id)
            .execution_options(synchronize_session=False)
        )
