"""A patron's login account at the desk (/balie/klanten/<number>/inlogaccount/…): make one and
mail the patron, send its confirmation again, hand over a one-time password, forget it, link an
existing one, block and unblock it. A staff login is never changed here (403)."""

from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Optional

from portal.extensions import db
from portal.forms import REQUIRED, PortalForm, add_error, email_field_validators, fits
from portal.refusals import refusal_message
from portal.staff.patron_pages import patron_or_404
from portal.staff.roles import fresh_second_factor, is_coordinator
from portal.staff.views import bp
from portal.wiring import mail_settings, now
from shared.desk import logins
from shared.errors import DomainError
from shared.models.account import LoginAccount
from shared.models.patron import Patron

PAGE = "portal/staff/login_account.html"
BASE = "/klanten/<number>/inlogaccount"
T = TypeVar("T")


class MailedLoginForm(PortalForm):
    """The address the new login and its mail go to."""

    email = StringField(
        _l("E-mail address"),
        description=_l("The library e-mail on the record, or another the patron gives."),
        validators=[Optional(), *email_field_validators()],
    )


class FindLoginForm(PortalForm):
    """The login to link, by its exact username or e-mail address."""

    login = StringField(
        _l("Username or e-mail address"),
        description=_l("Exactly as the login has it (any case)."),
        validators=[DataRequired(REQUIRED), fits(LoginAccount.username_key)],
    )


class LinkLoginForm(PortalForm):
    """The login found, confirmed by the desk."""

    account = HiddenField(validators=[DataRequired()])


@bp.route(f"{BASE}/nieuw", methods=["GET", "POST"], endpoint="make_login")
@fresh_second_factor()
def make_login(number: str) -> str | Response:
    """A login with the patron's e-mail; the patron is mailed a link to choose a password."""
    patron = patron_or_404(number)
    form = MailedLoginForm(data={"email": patron.library_email})
    if form.validate_on_submit():
        try:
            account = logins.make_mailed_login(
                db.session(), current_user, patron, form.email.data or "", mail_settings(), now()
            )
        except DomainError as error:
            db.session.rollback()
            _forbid_staff_login(error)
            add_error(form.email, refusal_message(error))
        else:
            db.session.commit()
            flash(_("The login is made: %(email)s gets the link.", email=account.email), "success")
            return _to_patron(number)
    return render_template(PAGE, patron=patron, number=number, form=form, step="make")


@bp.route(f"{BASE}/koppelen", methods=["GET", "POST"], endpoint="link_login")
@fresh_second_factor()
def link_login(number: str) -> str | Response:
    """Find an existing login (username or e-mail), show it and the records it serves, and
    link it once confirmed."""
    patron = patron_or_404(number)
    form, confirm = FindLoginForm(prefix="find"), LinkLoginForm(prefix="link")
    if confirm.validate_on_submit():
        return _link(patron, number, confirm)
    found = _found(patron, form) if form.validate_on_submit() else None
    if found is not None:
        confirm.account.data = str(found.account.id)
    context = {"form": form, "confirm": confirm, "found": found, "step": "link"}
    return render_template(PAGE, patron=patron, number=number, **context)


def _found(patron: Patron, form: FindLoginForm) -> logins.Linkable | None:
    """The login typed, when it may be linked to this patron; else why not, at the field."""
    try:
        account = logins.find_login(db.session(), form.login.data or "")
        return logins.check_linkable(db.session(), patron, account, is_coordinator())
    except DomainError as error:
        add_error(form.login, refusal_message(error))
        return None


def _link(patron: Patron, number: str, confirm: LinkLoginForm) -> Response:
    """Link the confirmed login; back to the patron with what happened."""
    typed = str(confirm.account.data or "")
    account_id = int(typed) if typed.isdigit() else 0
    return _act(
        number,
        lambda: logins.link(
            db.session(), current_user, patron, account_id, is_coordinator(), now()
        ),
        lambda account: _("The login %(name)s now serves this patron too.", name=account.username),
    )


@bp.post(f"{BASE}/bevestiging", endpoint="resend_login_mail")
def resend_mail(number: str) -> Response:
    """Mail the unconfirmed login (or its new address) its link again."""
    patron = patron_or_404(number)
    return _act(
        number,
        lambda: logins.send_confirmation_again(
            db.session(), current_user, patron, mail_settings(), now()
        ),
        lambda email: _("The mail is sent again to %(email)s.", email=email),
    )


@bp.route(f"{BASE}/vergeten", methods=["GET", "POST"], endpoint="forget_login")
def forget(number: str) -> str | Response:
    """Unlink the patron's login so a new one can be made, once the desk confirms."""
    patron = patron_or_404(number)
    if request.method == "GET":
        return _confirm_page(patron, number, "forget")
    return _act(
        number,
        lambda: logins.forget(db.session(), current_user, patron, now()),
        lambda kept: (
            _("The login is unlinked; it still serves another record.")
            if kept
            else _("The login is removed. A new one can be made.")
        ),
    )


@bp.route(
    f"{BASE}/blokkeren", methods=["GET", "POST"], endpoint="block_login", defaults={"blocked": True}
)
@bp.post(f"{BASE}/deblokkeren", endpoint="unblock_login", defaults={"blocked": False})
def block(number: str, blocked: bool) -> str | Response:
    """Block the login (it logs in nowhere, its sessions and single sign-on end) once the desk
    confirms, or unblock it."""
    patron = patron_or_404(number)
    if request.method == "GET":
        return _confirm_page(patron, number, "block")
    if blocked:
        said = _("The login is blocked: it can no longer log in anywhere.")
    else:
        said = _("The login is unblocked: it can log in again.")
    return _act(
        number,
        lambda: logins.set_blocked(db.session(), current_user, patron, blocked, now()),
        lambda _account: said,
    )


@bp.route(f"{BASE}/eenmalig-wachtwoord", methods=["GET", "POST"], endpoint="one_time_password")
@fresh_second_factor()
def one_time_password(number: str) -> str | Response:
    """Hand over a one-time password (the patron chooses their own at the next login): shown
    once, on the answer to the POST, never stored readable nor logged."""
    patron = patron_or_404(number)
    form = PortalForm()
    if not form.validate_on_submit():
        return _confirm_page(patron, number, "password", form)
    try:
        handed = logins.hand_over_password(db.session(), current_user, patron, now())
    except DomainError as error:
        return _refused(number, error)
    db.session.commit()
    page = render_template(PAGE, patron=patron, number=number, step="shown", handed=handed)
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


def _confirm_page(
    patron: Patron, number: str, step: str, form: PortalForm | None = None
) -> str | Response:
    """The page that says what an action on the patron's login does, with the button that
    does it (a one-time password may also make the login); back to the patron when there is
    no login (a staff login: 403)."""
    try:
        making = step == "password" and patron.login_account_id is None
        account = None if making else logins.patron_login(db.session(), patron)
    except DomainError as error:
        return _refused(number, error)
    context = {"form": form or PortalForm(), "step": step, "account": account}
    return render_template(PAGE, patron=patron, number=number, **context)


def _act(number: str, action: Callable[[], T], said: Callable[[T], str]) -> Response:
    """Do the action and commit, then back to the patron screen saying what was done, or why
    not (a staff login: 403)."""
    try:
        done = action()
    except DomainError as error:
        return _refused(number, error)
    db.session.commit()
    flash(said(done), "success")
    return _to_patron(number)


def _refused(number: str, error: DomainError) -> Response:
    """Nothing changed: back to the patron screen with the reason."""
    db.session.rollback()
    _forbid_staff_login(error)
    flash(refusal_message(error), "error")
    return _to_patron(number)


def _forbid_staff_login(error: DomainError) -> None:
    """A staff login is refused with 403 and the reason."""
    if error.code == "staff_login":
        page = render_template(PAGE, step="refused", refused=refusal_message(error))
        abort(make_response(page, 403))


def _to_patron(number: str) -> Response:
    """To the patron screen's login account section."""
    return redirect(url_for("staff.patron", number=number, _anchor="login"), code=303)
