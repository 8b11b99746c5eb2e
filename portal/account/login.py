"""Logging in and out, and setting a new password after forgetting it."""

from datetime import datetime, timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from portal import auth_session
from portal.account.forms import (
    ConfirmationRequestForm,
    FirstLoginForm,
    ForgotPasswordForm,
    LinkLoginForm,
    LoginForm,
    NewPasswordForm,
)
from portal.extensions import db, limiter
from portal.forms import add_error, required_text
from portal.refusals import refusal_message
from portal.staff import staff_session
from portal.visitor_pages import kept_for_new_visitors
from portal.wiring import mail_settings, now
from shared.accounts.changes import link_memberships
from shared.accounts.confirmation_request import request_confirmation
from shared.accounts.email_change import (
    FirstLogin,
    complete_first_login,
    may_get_newsletter,
    needs_setup,
)
from shared.accounts.login import log_in
from shared.accounts.password_reset import account_for_reset, request_reset, reset_password
from shared.errors import DomainError
from shared.models.account import LoginAccount
from shared.redirects import safe_path

bp = Blueprint("login", __name__)
FIRST_LOGIN_KEY = "first_login_account"
FIRST_LOGIN_AT = "first_login_at"
FIRST_LOGIN_MISSES = "first_login_misses"
FIRST_LOGIN_TIME = timedelta(minutes=15)
FIRST_LOGIN_TRIES = 5
FIRST_LOGIN_NEXT = "first_login_next"  # where a service's login was going before the first login


def login_limit() -> str:
    """Requests per address allowed on the login form (configurable)."""
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@kept_for_new_visitors(lambda: None)
def login() -> str | Response:
    """The login form: main card, customer number or e-mail address, and password."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            result = log_in(db.session(), *_credentials(form), now(), _client())
        except DomainError as error:
            db.session.commit()  # keep the failure count
            add_error(form.login, refusal_message(error))
        else:
            db.session.commit()
            if needs_setup(result.account):
                session.clear()
                session[FIRST_LOGIN_KEY] = result.account.id
                session[FIRST_LOGIN_AT] = now().isoformat()
                session[FIRST_LOGIN_NEXT] = safe_path(request.args.get("next"))
                return redirect(url_for("login.first_login"), code=303)
            return _start_session(result.account, result.new_number)
    return render_template("portal/login/login.html", form=form)


def _start_session(account: LoginAccount, new_number: str | None) -> Response:
    """A fresh session for the logged-in account, back to where the login was going; a staff
    login is not done yet: its second step asks for the code."""
    target = safe_path(request.args.get("next")) or session.get(FIRST_LOGIN_NEXT)
    if account.is_staff:
        return staff_session.begin_second_step(account, target)
    auth_session.start(account)
    if new_number:
        flash(
            _(
                "Your number has changed: log in with your card number %(number)s from now on.",
                number=new_number,
            )
        )
    return redirect(target or url_for("account.overview"), code=303)


def _credentials(form: LoginForm) -> tuple[str, str]:
    """The login and password of a validated login form."""
    return required_text(form.login), required_text(form.password)


def _client() -> str:
    """The address the login comes from (the proxy's client when TRUSTED_PROXIES is set)."""
    return request.remote_addr or ""


@bp.route("/eerste-keer", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def first_login() -> str | Response:
    """First login with a card number: e-mail, new password, who you are, the terms."""
    account = _first_login_account()
    if account is None:
        return redirect(url_for("login.login"))
    form = FirstLoginForm()
    newsletter = may_get_newsletter(db.session(), account, now())
    if form.validate_on_submit():
        answers = FirstLogin(
            **{
                name: form[name].data
                for name in FirstLogin.__dataclass_fields__
                if name != "terms_accepted"
            },
            terms_accepted=form.terms.data,
        )
        try:
            complete_first_login(db.session(), account, answers, mail_settings(), now())
        except DomainError as error:
            db.session.rollback()
            if _too_many_wrong_answers():
                flash(refusal_message(DomainError("first_login_stopped")), "error")
                return redirect(url_for("login.login"), code=303)
            add_error(form.first_name, refusal_message(error))
        else:
            db.session.commit()
            flash(
                _(
                    "Almost done: confirm your e-mail address with the link we sent to %(email)s.",
                    email=answers.email,
                )
            )
            return _start_session(account, None)
    return render_template("portal/login/first_login.html", form=form, newsletter=newsletter)


def _first_login_account() -> LoginAccount | None:
    """The account on its first login in this browser: for a few minutes, and while it has
    not been set up (a patron walking away from a library PC leaves nothing usable)."""
    started = session.get(FIRST_LOGIN_AT)
    fresh = started is not None and now() - datetime.fromisoformat(started) < FIRST_LOGIN_TIME
    account = db.session.get(LoginAccount, session.get(FIRST_LOGIN_KEY) or 0) if fresh else None
    if account is None or not account.is_active or not needs_setup(account):
        for key in (FIRST_LOGIN_KEY, FIRST_LOGIN_AT, FIRST_LOGIN_NEXT, FIRST_LOGIN_MISSES):
            session.pop(key, None)
        return None
    return account


def _too_many_wrong_answers() -> bool:
    """Count wrong identity answers; after a few the first login ends (ask at the desk)."""
    session[FIRST_LOGIN_MISSES] = session.get(FIRST_LOGIN_MISSES, 0) + 1
    if session[FIRST_LOGIN_MISSES] < FIRST_LOGIN_TRIES:
        return False
    session.clear()
    return True


@bp.route("/koppelen", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def link_login() -> str | Response:
    """Use an existing login account for this membership too (it proves itself by password)."""
    source = _linking_account()
    if source is None:
        return redirect(url_for("login.login"))
    form = LinkLoginForm()
    if form.validate_on_submit():
        try:
            credentials = (*_credentials(form), now(), _client())
            target = log_in(db.session(), *credentials).account
        except DomainError as error:
            db.session.commit()  # keep the failure count
            add_error(form.login, refusal_message(error))
        else:
            link_memberships(db.session(), source, target)
            db.session.commit()
            flash(_("Done: this login account now serves all your memberships."), "success")
            if needs_setup(target):
                session.clear()
                session[FIRST_LOGIN_KEY], session[FIRST_LOGIN_AT] = target.id, now().isoformat()
                return redirect(url_for("login.first_login"), code=303)
            return _start_session(target, None)
    return render_template("portal/login/link.html", form=form)


def _linking_account() -> LoginAccount | None:
    """The login being linked: the one on its first login, or the one logged in."""
    return _first_login_account() or (current_user if current_user.is_authenticated else None)


@bp.post("/uitloggen")
def logout() -> Response:
    """End the session completely."""
    logout_user()
    session.clear()
    flash(_("You are logged out."))
    return redirect(url_for("main.home"), code=303)


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def forgot_password() -> str:
    """Ask for a reset link; the answer is the same whether or not the login exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_reset(db.session(), required_text(form.login), mail_settings(), now())
        db.session.commit()
        return render_template("portal/login/forgot_sent.html")
    return render_template("portal/login/forgot.html", form=form)


@bp.route("/bevestiging-opnieuw", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def request_confirmation_mail() -> str:
    """Ask for a new link to confirm the login account; the same answer for every login."""
    form = ConfirmationRequestForm()
    if form.validate_on_submit():
        request_confirmation(db.session(), required_text(form.login), mail_settings(), now())
        db.session.commit()
        return render_template("portal/login/confirmation_sent.html")
    return render_template("portal/login/confirmation_request.html", form=form)


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"], endpoint="reset_password")
def reset_password_view(token: str) -> str | Response | tuple[str, int]:
    """Set a new password with the link from the mail."""
    try:
        account = account_for_reset(db.session(), current_app.config["SECRET_KEY"], token, now())
    except DomainError as error:
        return render_template("portal/login/link_failed.html", message=refusal_message(error)), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        reset_password(db.session(), account, required_text(form.password), now())
        db.session.commit()
        flash(_("Your new password is set. Log in with it."))
        return redirect(url_for("login.login"), code=303)
    return render_template("portal/login/reset.html", form=form)
