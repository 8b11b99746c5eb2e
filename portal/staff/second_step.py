"""The staff login's second step: the code from the authenticator app after the password (a
member without a second factor sets one up here), and again before a sensitive action."""

import secrets

import segno
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Regexp

from portal.account.login import login_limit
from portal.account.own_password import to_own_password
from portal.extensions import db, limiter
from portal.forms import REQUIRED, PortalForm, add_error, normalise_space, required_text
from portal.refusals import refusal_message
from portal.staff import staff_session
from portal.staff.views import bp
from portal.wiring import now
from shared.accounts.second_factor import confirm_code, enrol, enrolment_secret, otpauth_uri
from shared.accounts.staff import staff_member
from shared.errors import DomainError
from shared.models.account import LoginAccount
from shared.models.staff import StaffMember
from shared.redirects import safe_path


class SecondStepForm(PortalForm):
    """The six digits the authenticator app shows now."""

    code = StringField(
        _l("Code"),
        description=_l("The 6 digits your authenticator app shows now."),
        filters=[normalise_space],
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^[0-9]{3} ?[0-9]{3}$", message=_l("Type the 6 digits from your app.")),
        ],
    )


@bp.route("/tweede-stap", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def second_step() -> str | Response:
    """Ask for the code (with a new secret to set up, for a member without one)."""
    member = _member_at_step()
    if member is None:
        flash(_("Log in again, and type the code within 5 minutes of your password."))
        return redirect(url_for("login.login"))
    secret = None if member.totp_secret else _new_secret(member.account)
    form = SecondStepForm()
    if form.validate_on_submit():
        try:
            _take_code(member, secret, required_text(form.code))
        except DomainError as error:
            db.session.commit()  # keep the failure count
            add_error(form.code, refusal_message(error))
        else:
            response = _code_taken(member.account)
            db.session.commit()
            return response
    return _page(form, member.account, secret)


def _member_at_step() -> StaffMember | None:
    """Whose code this page asks: the staff member logged in, or half-way through logging in."""
    account = current_user if current_user.is_authenticated else staff_session.pending_account()
    return staff_member(db.session(), account) if account is not None else None


# The session keeps a random value, not the secret: a copied cookie reveals nothing without the
# server's key, and the secret is this browser's own (one seen in another session, or before a
# new password, is never the one kept).
ENROL_NONCE = "staff_enrol_nonce"


def _new_secret(account: LoginAccount) -> str:
    """The secret a member without one sets up (the same in this session until it is kept)."""
    nonce = session.setdefault(ENROL_NONCE, secrets.token_urlsafe(16))
    return enrolment_secret(current_app.config["SECRET_KEY"], account, nonce)


def _page(form: SecondStepForm, account: LoginAccount, secret: str | None) -> str:
    """The page with the code's field; with a new secret to set up, that as QR code and text."""
    return render_template(
        "portal/staff/second_step.html",
        form=form,
        pending=not current_user.is_authenticated,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) if secret else "",
        qr=_qr_code(otpauth_uri(secret, account.username)) if secret else "",
    )


def _take_code(member: StaffMember, secret: str | None, code: str) -> None:
    """Check the code: of the member's secret, or of the new one (then kept)."""
    client = request.remote_addr or ""
    if secret is None:
        confirm_code(db.session(), member, code, now(), client)
    else:
        enrol(db.session(), member, secret, code, now(), client)
        session.pop(ENROL_NONCE, None)


def _code_taken(account: LoginAccount) -> Response:
    """The login completes (or a logged-in member's code is renewed); on to where it was going,
    a one-time password changed first."""
    if current_user.is_authenticated:
        staff_session.second_factor_confirmed()
        target = safe_path(request.args.get("next"))
    else:
        target = staff_session.complete_login(account)
    if account.password_must_change:
        return to_own_password(target)
    return redirect(target or url_for("staff.find_patrons"), code=303)


def _qr_code(text: str) -> Markup:
    """The text as a QR code, an SVG drawn dark on light (no inline style: the pages' policy)."""
    return Markup(segno.make(text, error="m").svg_inline(scale=5, light="#fff"))  # noqa: S704
