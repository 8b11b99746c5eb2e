"""Confirmation links from the signup mails and the library e-mail's."""

from flask import Blueprint, current_app, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.refusals import refusal_message
from portal.wiring import now
from shared.accounts import confirmation
from shared.errors import DomainError

bp = Blueprint("confirm", __name__, url_prefix="/bevestigen")


def _failure(error: DomainError) -> tuple[str, int]:
    """A page that says why the link did not work and what to do."""
    message = refusal_message(error)
    return render_template("portal/account/confirm_failed.html", message=message), 410


@bp.get("/account/<token>")
def account(token: str) -> str | tuple[str, int]:
    """Confirm the login account."""
    try:
        confirmed = confirmation.confirm_account(
            db.session(), current_app.config["SECRET_KEY"], token, now()
        )
    except DomainError as error:
        return _failure(error)
    db.session.commit()
    return render_template(
        "portal/account/confirmed.html", what="account", username=confirmed.username
    )


@bp.get("/nieuw-e-mailadres/<token>")
def new_email(token: str) -> str | tuple[str, int]:
    """Confirm a new e-mail address for the login account."""
    try:
        confirmation.confirm_new_email(db.session(), current_app.config["SECRET_KEY"], token, now())
    except DomainError as error:
        return _failure(error)
    db.session.commit()
    return render_template("portal/account/confirmed.html", what="new_email")


@bp.get("/e-mail/<token>")
def library_email(token: str) -> str | tuple[str, int]:
    """The library e-mail the link is for and a button that confirms it: opening the link (as
    a mail scanner does) changes nothing."""
    try:
        secret = current_app.config["SECRET_KEY"]
        link = confirmation.library_email_link(db.session(), secret, token, now())
    except DomainError as error:
        return _failure(error)
    return render_template("portal/account/confirm_library_email.html", link=link)


@bp.post("/e-mail/<token>")
def confirm_library_email(token: str) -> Response | tuple[str, int]:
    """Confirm the library e-mail address."""
    try:
        secret = current_app.config["SECRET_KEY"]
        confirmation.confirm_library_email(db.session(), secret, token, now())
    except DomainError as error:
        db.session.rollback()
        return _failure(error)
    db.session.commit()
    return redirect(url_for("confirm.library_email_confirmed"), code=303)


@bp.get("/e-mail/bevestigd")
def library_email_confirmed() -> str:
    """The library e-mail is confirmed."""
    return render_template("portal/account/confirmed.html", what="library_email")
