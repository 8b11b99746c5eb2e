"""*Mijn account*: membership, cards, payments and what is owed; password, language, stopping."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

# types-wtforms describes WTForms 3.2, which had no SelectChoice yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from portal import auth_session
from portal.account.cancel_form import CancelForm
from portal.account.change_summary import change_summary
from portal.account.forms import ChangeEmailForm, ChangePasswordForm
from portal.extensions import db, limiter
from portal.forms import add_error, required_text
from portal.i18n import current_language, use_language
from portal.refusals import refusal_message
from portal.wiring import mail_settings, now, payment_provider, renewal_rules
from shared.accounts import changes
from shared.accounts.email_change import request_email_change
from shared.accounts.passwords import verify_password
from shared.cards.lookup import cards_of, main_card
from shared.errors import DomainError
from shared.mail.patron_mail import pay_link
from shared.memberships.cancel_reasons import cancel_reasons
from shared.memberships.cancellation import (
    Cancellation,
    CancelWhen,
    cancel_subscription,
    cancellable,
    direct_debit_cancellable,
)
from shared.memberships.renewal import renewal_due
from shared.models.patron import Patron, Subscription
from shared.models.payment import Payment
from shared.patrons.lookup import linked_patrons, owns
from shared.patrons.subscriptions import current_subscription
from shared.payments import direct_debit, ledger
from shared.payments.provider import PaymentProviderError, ProviderUnauthorized
from shared.payments.service import recent_payments
from shared.redirects import safe_path
from shared.timeutil import local_today

bp = Blueprint("account", __name__, url_prefix="/mijn-account")


def _password_limit() -> str:
    """Forms that check the current password get the login form's limit."""
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.get("")
@login_required
def overview() -> str | Response:
    """Every membership this login serves, with subscription, cards, payments and balance;
    a staff login without membership has its own page."""
    memberships = [_membership(p) for p in linked_patrons(db.session(), current_user)]
    if not memberships and current_user.is_staff:
        return redirect(url_for("staff.find_patrons"))
    return render_template(
        "portal/account/overview.html", memberships=memberships, today=local_today(now())
    )


def _membership(patron: Patron) -> dict[str, object]:
    """What the overview shows of one patron record."""
    card = main_card(db.session(), patron)
    subscription = current_subscription(patron)
    return {
        "patron": patron,
        "number": card.number if card else patron.customer_number,
        "has_card": card is not None,
        "subscription": subscription,
        "renewal": subscription and _renewal(subscription),
        "cards": cards_of(db.session(), patron),
        "payments": recent_payments(db.session(), patron.id),
        "balance": ledger.balance(db.session(), patron.id),
        "mandates": direct_debit.mandates(db.session(), patron),
        "direct_debit": direct_debit.active_direct_debit(db.session(), patron),
        "change": change_summary(subscription),
    }


def _renewal(subscription: Subscription) -> dict[str, object] | None:
    """The renewal the patron may pay now, with its pay link; None when there is none."""
    due = renewal_due(db.session(), subscription, local_today(now()), renewal_rules())
    if due is None:
        return None
    url = pay_link(mail_settings(), subscription.id, due.start, now())
    return {"due": due, "url": url}


@dataclass(frozen=True)
class CancelPage:
    """A page of Mijn account that cancels: its template, the subscription it cancels (or why
    not), the moments it offers, and what the patron is told once it is done."""

    template: str
    subscription: Callable[[Patron, date], Subscription]
    moments: Callable[[Subscription], list[SelectChoice]]
    done: Callable[[Cancellation, Subscription], str]


@bp.route("/<int:patron_id>/opzeggen", methods=["GET", "POST"])
@login_required
def cancel(patron_id: int) -> str | Response | tuple[str, int]:
    """Cancel the subscription at the end of the period or now, for a reason from the list
    (and stop any direct debit)."""
    page = CancelPage("portal/account/cancel.html", cancellable, _moments, _cancelled)
    return _cancel_page(patron_id, page)


@bp.route("/<int:patron_id>/incasso-stoppen", methods=["GET", "POST"])
@login_required
def stop_direct_debit(patron_id: int) -> str | Response | tuple[str, int]:
    """Stop direct debit: a cancellation at the end of the paid period, for a reason from the
    list, with the mandate revoked at the provider."""
    page = CancelPage(
        "portal/account/stop_direct_debit.html",
        direct_debit_cancellable,
        _end_of_period,
        lambda _chosen, _subscription: _(
            "Direct debit is stopped. Your subscription runs to the end of the period you paid."
        ),
    )
    return _cancel_page(patron_id, page)


def _cancel_page(patron_id: int, page: CancelPage) -> str | Response | tuple[str, int]:
    """The cancel form with the page's moments; cancel once it is sent filled in."""
    patron = _own(patron_id)
    try:
        subscription = page.subscription(patron, local_today(now()))
    except DomainError as error:
        return render_template(page.template, refused=refusal_message(error))
    form = CancelForm()
    reasons = cancel_reasons(db.session(), desk=False)
    form.offer(page.moments(subscription), reasons, current_language())
    if not form.validate_on_submit():
        return render_template(page.template, form=form, subscription=subscription)
    chosen = form.chosen()
    return _change(
        patron_id,
        page.done(chosen, subscription),
        lambda p: cancel_subscription(db.session(), p, chosen, payment_provider(), now()),
    )


def _own(patron_id: int) -> Patron:
    """One of this login's memberships; 404 for any other."""
    try:
        return owns(current_user, db.session.get(Patron, patron_id))
    except DomainError:
        abort(404)


def _moments(subscription: Subscription) -> list[SelectChoice]:
    """When the patron can stop: at the end of the period (with its date), or now."""
    end = format_date(subscription.end_date, "long")
    return [
        SelectChoice(
            CancelWhen.END_OF_PERIOD,
            _("At the end of the period: you can use the library through %(date)s", date=end),
        ),
        SelectChoice(CancelWhen.NOW, _("Now: your subscription ends today")),
    ]


def _end_of_period(subscription: Subscription) -> list[SelectChoice]:
    """Stopping direct debit: the subscription runs to the end of the period paid."""
    return _moments(subscription)[:1]


def _cancelled(chosen: Cancellation, subscription: Subscription) -> str:
    """What the patron is told once the cancellation is done."""
    if chosen.when == CancelWhen.NOW:
        return _("Your subscription is cancelled and ends today.")
    end = format_date(subscription.end_date, "long")
    return _("Your subscription is cancelled. You can use the library through %(date)s.", date=end)


def _change(
    patron_id: int,
    done: str,
    action: Callable[[Patron], object],
    checkout: Callable[[Patron], Payment] | None = None,
) -> Response | tuple[str, int]:
    """Run a change on one of the account's memberships; flash the outcome. With a
    `checkout`, the change goes on at the provider: to its payment's checkout page."""
    try:
        patron = owns(current_user, db.session.get(Patron, patron_id))
        action(patron)
        if checkout is not None:
            payment = checkout(patron)
            db.session.commit()
            return redirect(payment.checkout_url or url_for("account.overview"), code=303)
        db.session.commit()
        flash(done, "success")
    except DomainError as error:
        db.session.rollback()
        if error.code == "not_your_membership":
            abort(404)
        flash(refusal_message(error), "error")
    except ProviderUnauthorized:
        db.session.rollback()
        flash(_("This is not possible online for the moment. Nothing was changed."), "error")
    except PaymentProviderError:
        db.session.rollback()
        flash(
            _("This is not possible right now. Nothing was changed. Try again in a few minutes."),
            "error",
        )
    return redirect(url_for("account.overview"), code=303)


@bp.route("/wachtwoord", methods=["GET", "POST"])
@login_required
@limiter.limit(_password_limit, methods=["POST"])
def change_password() -> str | Response:
    """A new password, after the current one."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            changes.change_password(
                db.session(),
                current_user,
                required_text(form.current_password),
                required_text(form.password),
                now(),
            )
        except DomainError as error:
            add_error(form.current_password, refusal_message(error))
        else:
            db.session.commit()
            auth_session.keep_after_password_change(current_user)
            flash(_("Your new password is saved."), "success")
            back = safe_path(request.args.get("next"))
            return redirect(back or url_for("account.overview"), code=303)
    return render_template("portal/account/password.html", form=form)


@bp.route("/e-mail", methods=["GET", "POST"])
@login_required
@limiter.limit(_password_limit, methods=["POST"])
def change_email() -> str | Response:
    """A new login e-mail address; it counts once confirmed from that address."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, required_text(form.current_password)):
            add_error(form.current_password, refusal_message(DomainError("wrong_password")))
        else:
            request_email_change(
                db.session(), current_user, required_text(form.email), mail_settings(), now()
            )
            db.session.commit()
            flash(
                _(
                    "We sent a link to %(email)s. Your login changes once you confirm it.",
                    email=form.email.data,
                ),
                "success",
            )
            return redirect(url_for("account.overview"), code=303)
    return render_template("portal/account/email.html", form=form)


@bp.post("/taal")
@login_required
def language() -> Response:
    """The language of the portal and of the library's mails."""
    choice = request.form.get("lang", "")
    try:
        changes.set_language(db.session(), current_user, choice)
    except DomainError:
        abort(400)
    db.session.commit()
    use_language(choice)
    return redirect(url_for("account.overview"), code=303)
