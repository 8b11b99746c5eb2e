"""Consent: a patron allows a service once; asked again only when it wants more scopes."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    """Remember that the patron allowed these scopes (adding to what was allowed before)."""
    consent = _find(session, client, account)
    if consent is None:
        consent = OidcConsent(client_id=client.id, account_id=account.id, scope="", granted_at=now)
        session.add(consent)
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
