"""The changes patrons make to their own login account: password, language, linked memberships."""

from datetime import datetime

from sqlalchemy.orm import Session

from shared.accounts.passwords import hash_password, verify_password
from shared.errors import DomainError
from shared.models.account import LoginAccount
from shared.oidc.tokens import revoke_for_account
from shared.patrons.lookup import linked_patrons

LANGUAGES = ("nl", "en")


def change_password(
    session: Session, account: LoginAccount, old: str, new: str, now: datetime
) -> None:
    """A new password, after the old one is given."""
    if not verify_password(account.password_hash, old):
        raise DomainError("wrong_password")
    set_own_password(session, account, new, now)


def set_own_password(session: Session, account: LoginAccount, new: str, now: datetime) -> None:
    """The password the member chose: a one-time password no longer needs changing, and what
    was signed in with the old one (single sign-on tokens) ends."""
    account.password_hash = hash_password(new)
    account.password_changed_at = now
    account.password_must_change = False
    revoke_for_account(session, account.id)
    session.flush()


def set_language(session: Session, account: LoginAccount, language: str) -> None:
    """The language of the portal and of mails to this account and its patrons."""
    if language not in LANGUAGES:
        raise DomainError("unknown_language")
    account.locale = language
    for patron in linked_patrons(session, account):
        patron.locale = language
    session.flush()


def link_memberships(session: Session, source: LoginAccount, target: LoginAccount) -> None:
    """Serve the source login's memberships with the target login (one login for every library);
    the source login, left without memberships, is removed."""
    if source.id == target.id:
        return
    for patron in linked_patrons(session, source):
        patron.login_account_id = target.id
    session.flush()
    session.delete(source)
    session.flush()
