"""Changing a patron's subscription at the desk (/balie/klanten/<number>/wijzigen): the same
rules as in Mijn account, with every subscription with a term on offer; the costs are shown
before confirming, and the change (or its undoing) is recorded in the audit log. A change to
direct debit waits for its first payment: the patron pays it in Mijn account, or here on the
desk's screen (the desk never sees the bank details)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.account.change import changed_words, offered_form, undone_outdated
from portal.extensions import db
from portal.refusals import refusal_message
from portal.settlement import start_direct_debits_of
from portal.staff.patron_pages import patron_or_404
from portal.staff.views import bp
from portal.wiring import now, payment_provider, payment_urls
from shared.desk.audit import record
from shared.errors import DomainError
from shared.memberships.change import (
    CHANGE_ACTION,
    UNDO_ACTION,
    Target,
    change_subscription,
    changeable,
    pending_change,
    quote,
    undo_change,
)
from shared.memberships.change_mandate import PAY_ACTION, pay_change
from shared.models.patron import Patron, Subscription
from shared.models.payment import Payment
from shared.models.subscription_change import SubscriptionChange
from shared.patrons.changes import still_fits
from shared.patrons.subscriptions import current_subscription
from shared.payments.provider import PaymentProviderError
from shared.timeutil import local_today

PAGE = "portal/staff/change.html"


@bp.route("/klanten/<number>/wijzigen", methods=["GET", "POST"], endpoint="change_subscription")
def change(number: str) -> str | Response:
    """Choose another subscription for the patron, see the costs, confirm; or undo the change
    planned for the next period."""
    patron = patron_or_404(number)
    page = {"patron": patron, "number": number}
    current = current_subscription(patron)
    planned = pending_change(db.session(), current) if current is not None else None
    if planned is not None:
        assert current is not None
        fits = still_fits(planned, current, local_today(now()))
        return render_template(PAGE, planned=planned, fits=fits, **page)
    try:
        current = changeable(db.session(), patron, local_today(now()))
    except DomainError as error:
        return render_template(PAGE, refused=refusal_message(error), **page)
    form = offered_form(current, desk=True)
    page |= {"form": form, "subscription": current}
    if not form.validate_on_submit():
        return render_template(PAGE, **page)
    try:
        chosen = quote(db.session(), patron, form.chosen(), local_today(now()), desk=True)
        if not form.confirmed.data:
            return render_template(PAGE, quote=chosen, **page)
        _changed(patron, current, form.chosen())
    except DomainError as error:
        db.session.rollback()
        form.target.errors = [refusal_message(error)]
        return render_template(PAGE, **page)
    except PaymentProviderError:
        db.session.rollback()
        flash(_("The payment provider did not answer. Nothing was changed: try again."), "error")
        return render_template(PAGE, **page)
    db.session.commit()
    start_direct_debits_of(patron)
    if chosen.first_payment:  # the page shows the first payment to make
        return redirect(url_for("staff.change_subscription", number=number), code=303)
    flash(changed_words(chosen), "success")
    return redirect(url_for("staff.patron", number=number), code=303)


def _changed(patron: Patron, current: Subscription, target: Target) -> SubscriptionChange:
    """Change the subscription and audit it, before and after."""
    before = _audited(current)
    provider = payment_provider()
    change = change_subscription(db.session(), patron, target, provider, now(), desk=True)
    after = {
        "subscription": change.type_code,
        "paid_by": change.paid_by.value,
        "starts_on": change.starts_on.isoformat(),
        "charged": str(change.charged) if change.charged is not None else None,
    }
    record(db.session(), current_user, CHANGE_ACTION, now(), patron.id, before, after)
    return change


def _audited(subscription: Subscription) -> dict[str, object]:
    """What the audit log keeps of the subscription before a change."""
    return {
        "subscription": subscription.type_code,
        "paid_by": subscription.paid_by.value,
        "end_date": subscription.end_date.isoformat(),
        "status": subscription.status.value,
    }


@bp.post("/klanten/<number>/wijziging-terugdraaien", endpoint="undo_change")
def undo(number: str) -> Response:
    """Undo the change planned for the patron's next period, audited."""
    patron = patron_or_404(number)
    try:
        change = undo_change(db.session(), patron, now())
    except DomainError as error:
        db.session.rollback()
        flash(refusal_message(error), "error")
        return redirect(url_for("staff.change_subscription", number=number), code=303)
    before = {"planned": change.type_code, "starts_on": change.starts_on.isoformat()}
    record(db.session(), current_user, UNDO_ACTION, now(), patron.id, before, {"planned": None})
    db.session.commit()
    flash(_("The change is undone. The subscription runs on as it was."), "success")
    return redirect(url_for("staff.patron", number=number), code=303)


@bp.post("/klanten/<number>/wijziging-betalen", endpoint="pay_change")
def pay(number: str) -> Response:
    """The patron pays the first payment of a change to direct debit on the desk's screen."""
    patron = patron_or_404(number)
    back = url_for("staff.change_subscription", number=number)
    if undone_outdated(patron):
        return redirect(back, code=303)
    try:
        payment = pay_change(db.session(), patron, payment_provider(), payment_urls(), now())
        _audit_payment(patron, payment)
    except DomainError as error:
        db.session.rollback()
        flash(refusal_message(error), "error")
        return redirect(back, code=303)
    except PaymentProviderError:
        db.session.rollback()
        flash(_("The payment provider did not answer. Nothing was changed: try again."), "error")
        return redirect(back, code=303)
    db.session.commit()
    return redirect(payment.checkout_url or back, code=303)


def _audit_payment(patron: Patron, payment: Payment) -> None:
    """Record that the desk let the patron pay the change's first payment on its screen."""
    after = {"payment": payment.reference, "amount": str(payment.amount)}
    record(db.session(), current_user, PAY_ACTION, now(), patron.id, None, after)
