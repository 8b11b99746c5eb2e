"""A staff login's session: half-way between the password and the code (the second step), and
once complete its limits (idle and absolute), its second factor's age and its own password."""

from datetime import datetime, timedelta

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from portal import auth_session
from portal.account.own_password import to_own_password
from portal.extensions import db
from portal.wiring import now
from shared.models.account import LoginAccount
from shared.redirects import safe_path

SECOND_STEP = "staff.second_step"
# The half-login: who typed a right password, when, and where the login was going.
PENDING_ACCOUNT = "staff_pending_account"
PENDING_AT = "staff_pending_at"
PENDING_NEXT = "staff_pending_next"
PENDING_TIME = timedelta(minutes=5)
SECOND_FACTOR_AT = "staff_second_factor_at"  # when the last code was accepted
SEEN_AT = "staff_seen_at"  # the last staff page, for the idle limit


def begin_second_step(account: LoginAccount, target: str | None) -> Response:
    """After the password: a half-login (nothing of the session before it carries over) that
    waits a few minutes for the code."""
    session.clear()
    session[PENDING_ACCOUNT] = account.id
    session[PENDING_AT] = now().isoformat()
    session[PENDING_NEXT] = target
    return redirect(url_for(SECOND_STEP), code=303)


def pending_account() -> LoginAccount | None:
    """The staff login waiting for its code in this browser, while the few minutes last."""
    started = _moment(PENDING_AT)
    if started is None or now() - started >= PENDING_TIME:
        return None
    account = db.session.get(LoginAccount, session.get(PENDING_ACCOUNT) or 0)
    return account if account is not None and account.is_active and account.is_staff else None


def complete_login(account: LoginAccount) -> str | None:
    """The code was right: the staff session starts; where the login was going."""
    target = session.get(PENDING_NEXT)
    account.last_login_at = now()
    auth_session.start(account)
    second_factor_confirmed()
    return target


def second_factor_confirmed() -> None:
    """Note that a code was accepted just now (sensitive actions ask how long ago)."""
    session[SECOND_FACTOR_AT] = session[SEEN_AT] = now().isoformat()


def second_factor_within(minutes: int) -> bool:
    """Whether this session's last code was accepted at most `minutes` ago."""
    confirmed = _moment(SECOND_FACTOR_AT)
    return confirmed is not None and now() - confirmed <= timedelta(minutes=minutes)


def ask_second_factor(back: str | None = None) -> Response:
    """To the second step, and after the code back to `back`, else here (by GET)."""
    if back is None:
        back = request.full_path if request.method == "GET" else request.path
    return redirect(url_for(SECOND_STEP, next=safe_path(back.rstrip("?"))))


def check() -> Response | None:
    """Every staff page of a logged-in staff member: end a session past its limits, ask for
    the code where this session has none yet, and a one-time password's change."""
    if (ended := within_limits()) is not None:
        return ended
    if request.endpoint == SECOND_STEP:
        return None
    if SECOND_FACTOR_AT not in session:  # a login that became staff while logged in
        return ask_second_factor()
    if current_user.password_must_change:
        return to_own_password()
    return None


def within_limits() -> Response | None:
    """Any page of a logged-in staff member (the portal's own pages too): a session past its
    idle or absolute limit ends; else this page counts as activity."""
    if (ended := _ended_because()) is not None:
        return _end(ended)
    session[SEEN_AT] = now().isoformat()
    return None


def _ended_because() -> str | None:
    """Why this staff session is over (too long idle, or too long in all); None while it lasts."""
    moment, config = now(), current_app.config
    started = auth_session.login_time()
    seen = _moment(SEEN_AT) or started
    if started is None or moment - started >= timedelta(hours=config["STAFF_SESSION_HOURS"]):
        return _(
            "Your session has ended: a staff session lasts %(hours)s hours at most. Log in again.",
            hours=config["STAFF_SESSION_HOURS"],
        )
    if seen is None or moment - seen >= timedelta(minutes=config["STAFF_IDLE_MINUTES"]):
        return _(
            "Your session has ended after %(minutes)s minutes without activity. Log in again.",
            minutes=config["STAFF_IDLE_MINUTES"],
        )
    return None


def _end(reason: str) -> Response:
    """Log out, and to the login with the reason (and back here after it)."""
    logout_user()
    session.clear()
    flash(reason)
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("login.login", next=safe_path(back)))


def _moment(key: str) -> datetime | None:
    """A moment the session keeps, if it does."""
    stamp = session.get(key)
    return datetime.fromisoformat(stamp) if stamp else None
