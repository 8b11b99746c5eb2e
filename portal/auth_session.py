"""What the session keeps about a login: when it happened, and which password it was made with."""

from datetime import datetime

from flask import session
from flask_login import current_user, login_user

from portal.extensions import db
from portal.i18n import use_language
from portal.wiring import now
from shared.accounts.passwords import password_fingerprint
from shared.models.account import LoginAccount
from shared.patrons.lookup import linked_patrons

LOGIN_AT = "login_at"
PASSWORD_STAMP = "password_stamp"
# Set at login when the password is a one-time one; a session without it asks nothing more (a
# one-time password given later changes the password, which ends the session).
MUST_CHANGE_PASSWORD = "must_change_password"


def start(account: LoginAccount) -> None:
    """A fresh session for the account, in the account's language: nothing of the anonymous one
    carries over (the language chosen before has its own cookie)."""
    session.clear()
    use_language(account.locale)
    login_user(account, fresh=True)
    session[LOGIN_AT] = now().isoformat()
    session[PASSWORD_STAMP] = password_stamp(account)
    if account.password_must_change:
        session[MUST_CHANGE_PASSWORD] = True


def login_time() -> datetime | None:
    """When this session's patron typed their password (for max_age and auth_time)."""
    stamp = session.get(LOGIN_AT)
    return datetime.fromisoformat(stamp) if stamp else None


def password_stamp(account: LoginAccount) -> str:
    """Changes when the password changes, ending the sessions made with the old one."""
    return password_fingerprint(account.password_hash)


def keep_after_password_change(account: LoginAccount) -> None:
    """This session made the change: it stays; every other one ends."""
    session[PASSWORD_STAMP] = password_stamp(account)
    session.pop(MUST_CHANGE_PASSWORD, None)


def still_valid(account: LoginAccount) -> bool:
    """Whether this session was made with the account's current password."""
    return session.get(PASSWORD_STAMP) == password_stamp(account)


def logged_in_name() -> str:
    """Who is logged in, for the header: the name of the home membership, else the username."""
    patrons = linked_patrons(db.session(), current_user)
    return patrons[0].display_name if patrons else str(current_user.username)
