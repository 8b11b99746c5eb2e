"""A one-time password (handed over by the desk or the command line) is changed before anything
else: every page of a login that must change it leads to the password page first, and back."""

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.auth_session import MUST_CHANGE_PASSWORD
from shared.redirects import safe_path

CHANGE_PASSWORD = "account.change_password"
# What a login with a one-time password may still reach: the password page, logging out, the
# language and static files; single sign-on's authorize decides itself (it may not redirect
# when the service asks for no interaction). Staff pages check it in their own order.
ALLOWED = {CHANGE_PASSWORD, "login.logout", "i18n.choose_language", "static", "oidc.authorize"}


def own_password_first() -> Response | None:
    """Any page of a logged-in login with a one-time password: to the password page first
    (only a session begun with one asks the database)."""
    if MUST_CHANGE_PASSWORD not in session or request.endpoint in ALLOWED:
        return None
    if request.blueprint == "staff" or not current_user.is_authenticated:
        return None
    return to_own_password() if current_user.password_must_change else None


def to_own_password(back: str | None = None) -> Response:
    """To the password page, and after it back to `back` (else this page, when it was a GET)."""
    if back is None and request.method == "GET":
        back = request.full_path.rstrip("?")
    flash(_("Choose a password of your own before you go on."))
    return redirect(url_for(CHANGE_PASSWORD, next=safe_path(back)), code=303)
