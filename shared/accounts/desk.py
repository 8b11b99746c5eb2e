"""What the desk does for a patron's login: forget it, or hand over a one-time password."""

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from shared.accounts.passwords import hash_password
from shared.cards.lookup import main_card
from shared.errors import DomainError
from shared.models.account import LoginAccount
from shared.models.patron import Patron
from shared.oidc.tokens import revoke_for_account
from shared.patrons.lookup import linked_patrons


def forget_login(session: Session, patron: Patron) -> None:
    """Staff: unlink the patron's login so a new one can be made; a login left alone is removed."""
    account = session.get(LoginAccount, patron.login_account_id or 0)
    if account is None:
        raise DomainError("no_login")
    patron.login_account_id = None
    session.flush()
    if not linked_patrons(session, account):
        session.delete(account)
        session.flush()


def set_desk_password(session: Session, patron: Patron, now: datetime) -> tuple[LoginAccount, str]:
    """Staff: a new one-time password for a patron who cannot reset it by mail."""
    account = session.get(LoginAccount, patron.login_account_id or 0)
    if account is None:
        raise DomainError("no_login")
    password, account.password_hash = one_time_password()
    account.password_changed_at = now
    revoke_for_account(session, account.id)
    session.flush()
    return account, password


def create_desk_login(session: Session, patron: Patron, now: datetime) -> tuple[LoginAccount, str]:
    """Staff: a login without e-mail and a one-time password; the first login sets the rest."""
    if patron.login_account_id is not None:
        raise DomainError("has_login")
    password, password_hash = one_time_password()
    card = main_card(session, patron)
    username = card.number if card else patron.customer_number
    account = LoginAccount(
        username=username,
        username_key=username.casefold(),
        email=None,
        password_hash=password_hash,
        locale=patron.locale,
        created_at=now,
        confirmed_at=now,
    )
    session.add(account)
    session.flush()
    patron.login_account_id = account.id
    session.flush()
    return account, password


def one_time_password() -> tuple[str, str]:
    """A password for the desk to hand over once, and its hash."""
    password = secrets.token_urlsafe(9)
    return password, hash_password(password)
