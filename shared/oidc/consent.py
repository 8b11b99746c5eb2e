"""Consent: a patron allows a service once; asked again only when it wants more scopes."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.db import insert_or_ignore, lock_row
from shared.models.account import LoginAccount
from shared.models.oidc import OidcClient, OidcConsent


def needs_consent(session: Session, client: OidcClient, account: LoginAccount, scope: str) -> bool:
    """Whether to ask the patron: never for a first-party service, else unless already allowed."""
    if client.first_party:
        return False
    consent = _find(session, client, account)
    return consent is None or not set(scope.split()) <= set(consent.scope.split())


def record_consent(
    session: Session, client: OidcClient, account: LoginAccount, scope: str, now: datetime
) -> None:
    """Remember that the patron allowed these scopes (adding to what was allowed before).

    Allowing twice at once (a double click that two portal processes answer) makes one row, and
    the row lock makes the second add its scopes to the first's rather than overwrite them."""
    values = {"client_id": client.id, "account_id": account.id, "scope": "", "granted_at": now}
    insert_or_ignore(session, OidcConsent, values)
    consent = _find(session, client, account)
    assert consent is not None  # inserted above, or by the one that got there first
    lock_row(session, OidcConsent, consent.id)
    session.refresh(consent)
    consent.scope = " ".join(sorted(set(consent.scope.split()) | set(scope.split())))
    consent.granted_at = now
    session.flush()


def _find(session: Session, client: OidcClient, account: LoginAccount) -> OidcConsent | None:
    """The patron's consent for this client, if any."""
    return session.scalar(
        select(OidcConsent).where(
            OidcConsent.client_id == client.id, OidcConsent.account_id == account.id
        )
    )
