"""Cancelling a patron's subscription at the desk (/balie/klanten/<number>/opzeggen): now or at
the end of the period, with a reason; now with or without a refund of the unused part. And
withdrawing a cancellation at the end of the period before that end."""

from flask import flash, redirect, render_template, url_for
from flask_babel import force_locale, format_currency, format_date
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

# types-wtforms describes WTForms 3.2, which had no SelectChoice yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from portal.extensions import db
from portal.forms import add_error
from portal.i18n import current_language
from portal.refusals import refusal_message
from portal.staff.cancel_form import DeskCancelForm
from portal.staff.desk_choice import at_desk
from portal.staff.patron_pages import patron_or_404
from portal.staff.views import bp
from portal.wiring import now, payment_provider
from shared.desk.cancellation import (
    DeskCancellation,
    DeskCancelled,
    cancel_at_desk_committing,
    withdraw_at_desk,
)
from shared.errors import DomainError
from shared.memberships.cancel_reasons import cancel_reasons
from shared.memberships.cancellation import CancelWhen, cancellable, withdrawable
from shared.memberships.unused_refund import unused_refund
from shared.models.desk import Desk
from shared.models.patron import Patron, Subscription
from shared.patrons.changes import CHANGED
from shared.patrons.subscriptions import current_subscription
from shared.payments.provider import PaymentProviderError
from shared.timeutil import local_today

PAGE = "portal/staff/cancel.html"
# The field a refusal is shown at; any other at the choice of when.
REFUSAL_FIELDS = {
    "cancel_reason_required": "reason",
    "cancel_reason_unknown": "reason",
    "nothing_to_refund": "refund",
}


@bp.route("/klanten/<number>/opzeggen", methods=["GET", "POST"], endpoint="cancel_subscription")
def cancel(number: str) -> str | Response:
    """The patron's subscription: the form to cancel it, or to withdraw its cancellation, or
    why neither can be done."""
    patron = patron_or_404(number)
    today = local_today(now())
    current = current_subscription(patron)
    if withdrawable(current, today):
        page = {"patron": patron, "number": number, "withdraw": current}
        return render_template(PAGE, labels=reason_labels(), changed=CHANGED, **page)
    try:
        subscription = cancellable(patron, today)
    except DomainError as error:
        return render_template(PAGE, patron=patron, number=number, refused=refusal_message(error))
    return _cancel_form(patron, number, subscription)


def reason_labels() -> dict[str, str]:
    """The words of each cancel reason: the catalogue's, and the one a change gives."""
    reasons = cancel_reasons(db.session(), desk=True)
    labels = {reason.code: reason.label(current_language()) for reason in reasons}
    return labels | {CHANGED: _("changed to another subscription")}


def _cancel_form(patron: Patron, number: str, subscription: Subscription) -> str | Response:
    """Show the form with the refund's amount; cancel when it is sent filled in."""
    refund = unused_refund(db.session(), subscription, local_today(now()))
    # Cash paid part of it: that part is handed over from the drawer of the desk chosen.
    desk = at_desk() if refund.cash > 0 else None
    if isinstance(desk, Response):
        return desk
    form = DeskCancelForm()
    form.offer(_moments(subscription), cancel_reasons(db.session(), desk=True), current_language())
    form.offer_refund(refund.amount)
    if form.validate_on_submit():
        done = _cancelled(form, patron, subscription, desk.desk if desk is not None else None)
        if done is not None:
            flash(_done_words(done), "success")
            return redirect(url_for("staff.patron", number=number), code=303)
    context = {"form": form, "subscription": subscription, "refund": refund}
    return render_template(PAGE, patron=patron, number=number, **context)


def _cancelled(
    form: DeskCancelForm, patron: Patron, subscription: Subscription, desk: Desk | None
) -> DeskCancelled | None:
    """Cancel as the form says; None when refused (said at its field) or the provider failed."""
    try:
        return cancel_at_desk_committing(
            db.session(),
            current_user,
            patron,
            DeskCancellation(form.chosen(), form.refunds),
            _refund_description(patron, subscription),
            payment_provider(),
            now(),
            desk,
        )
    except DomainError as error:
        add_error(form[REFUSAL_FIELDS.get(error.code, "when")], refusal_message(error))
    except PaymentProviderError:
        flash(_("The payment provider did not answer. Nothing was changed: try again."), "error")
    return None


def _moments(subscription: Subscription) -> list[SelectChoice]:
    """When the subscription can stop: at the end of the period (its date), or now."""
    end = format_date(subscription.end_date, "long")
    return [
        SelectChoice(
            CancelWhen.END_OF_PERIOD,
            _("At the end of the period: valid through %(date)s", date=end),
        ),
        SelectChoice(CancelWhen.NOW, _("Now: valid through today")),
    ]


def _refund_description(patron: Patron, subscription: Subscription) -> str:
    """What the refund says on the patron's bank statement and ledger, in their language."""
    with force_locale(patron.locale):
        name = subscription.type.name(patron.locale)
        return _("%(subscription)s: the unused part refunded", subscription=name)


def _done_words(done: DeskCancelled) -> str:
    """What the desk is told once the subscription is cancelled."""
    end = format_date(done.subscription.end_date, "long")
    said = _("The subscription is cancelled: valid through %(date)s.", date=end)
    if done.refunded <= 0:
        return said
    if done.cash > 0:
        cash = format_currency(done.cash, "EUR")
        said += " " + _("Give the patron %(amount)s in cash from the drawer.", amount=cash)
    if done.refunded <= done.cash:
        return said
    amount = format_currency(done.refunded - done.cash, "EUR")
    if done.sent:
        refunded = _("%(amount)s is refunded to the patron.", amount=amount)
    else:
        refunded = _(
            "The refund of %(amount)s follows once the payment provider answers.", amount=amount
        )
    return f"{said} {refunded}"


@bp.post("/klanten/<number>/opzegging-intrekken", endpoint="withdraw_cancellation")
def withdraw(number: str) -> Response:
    """Withdraw the cancellation of the patron's subscription: it runs on and renews again."""
    patron = patron_or_404(number)
    try:
        withdraw_at_desk(db.session(), current_user, patron, now())
    except DomainError as error:
        db.session.rollback()
        flash(refusal_message(error), "error")
        return redirect(url_for("staff.cancel_subscription", number=number), code=303)
    db.session.commit()
    flash(_("The cancellation is withdrawn: the subscription runs on."), "success")
    return redirect(url_for("staff.patron", number=number), code=303)
