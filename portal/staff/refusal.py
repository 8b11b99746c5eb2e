"""Refusing a patron at the desk (/balie/klanten/<number>/abonnement-status): the subscription
made invalid or blacklisted with a reason, or the refusal lifted. Invalid is the desk's; what
sets, changes or lifts a blacklist is a coordinator's, with a code from the last few minutes."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import InputRequired

from portal.extensions import db
from portal.forms import REQUIRED, PortalForm, add_error, fits, normalise_space, required_text
from portal.i18n import switching_language
from portal.refusals import refusal_message
from portal.staff import patron_words, staff_session
from portal.staff.patron_pages import patron_or_404
from portal.staff.roles import FRESH_MINUTES, current_member
from portal.staff.views import bp
from portal.wiring import now, payment_provider, schedule_webhook_url
from shared.desk import audit
from shared.desk.patron_view import VIEWED
from shared.desk.refusal import (
    desk_refusal,
    lift,
    may_change,
    may_lift,
    refusals_offered,
    refuse,
)
from shared.errors import DomainError
from shared.models.patron import Patron, Subscription
from shared.models.patron import SubscriptionStatus as Status
from shared.patrons.subscriptions import current_subscription
from shared.payments.provider import PaymentProviderError
from shared.translation import N_

REFUSAL_WORDS = {Status.INVALID: _l("Invalid"), Status.BLACKLISTED: _l("Blacklisted")}
DONE_WORDS = {
    Status.INVALID: N_("The subscription of %(name)s is invalid now."),
    Status.BLACKLISTED: N_("%(name)s is blacklisted now."),
}


class RefuseForm(PortalForm):
    """Invalid or blacklisted, and why (for staff only)."""

    status = RadioField(_l("Refusal"), validators=[InputRequired(REQUIRED)])
    reason = StringField(
        _l("Reason"),
        filters=[normalise_space],
        validators=[InputRequired(REQUIRED), fits(Subscription.status_reason)],
    )
    seen = HiddenField()  # the status the page showed: a change meanwhile is refused


class LiftForm(PortalForm):
    """Lift the refusal the page showed."""

    refusal = HiddenField()  # the refusal the page showed: a change meanwhile is refused


@bp.route("/klanten/<number>/abonnement-status", methods=["GET", "POST"])
def subscription_status(number: str) -> str | Response:
    """The current subscription's refusal, and the forms to set or lift it."""
    patron = patron_or_404(number)
    current = current_subscription(patron)
    form = RefuseForm()
    if current is not None:
        form.status.choices = [
            (status.value, REFUSAL_WORDS[status])
            for status in refusals_offered(current_member().role, current.status)
        ]
    if request.method == "POST":
        done = _refuse(number, patron, current, form)
        if done is not None:
            return done
    else:
        audit.record(db.session(), current_user, VIEWED, now(), patron_id=patron.id)
    page = _page(number, patron, current, form)
    db.session.commit()  # the look (or nothing, after a refused change) once the page is made
    return page


@bp.post("/klanten/<number>/abonnement-status/opheffen")
def lift_refusal(number: str) -> Response:
    """Lift the refusal: back to cancelled, invoiced or normal."""
    patron = patron_or_404(number)
    current = current_subscription(patron)
    form = LiftForm()
    if current is None or not form.validate_on_submit():
        abort(400)
    seen = _seen(form.refusal)
    blacklist = seen == Status.BLACKLISTED
    if (asked := _allowed(number, may_lift(current_member().role, seen), blacklist)) is not None:
        return asked
    try:
        provider = payment_provider()
        lifted = lift(
            db.session(), current_user, patron, seen, provider, schedule_webhook_url, now()
        )
    except DomainError as error:
        db.session.rollback()
        return _refused(number, error)
    except PaymentProviderError:
        db.session.rollback()
        return _provider_failed(number)
    db.session.commit()
    status = patron_words.SUBSCRIPTION_WORDS[lifted.status]
    flash(
        _("The refusal is lifted. Status of the subscription: %(status)s.", status=status),
        "success",
    )
    return redirect(url_for("staff.patron", number=number), code=303)


def _refuse(
    number: str, patron: Patron, current: Subscription | None, form: RefuseForm
) -> Response | None:
    """Set the refusal the form asks for; where to go, or None to show the form again."""
    seen, new = _seen(form.seen), _status(form.status.data)
    if current is None:
        abort(400)
    if switching_language():
        return None
    if new is not None:
        allowed = may_change(current_member().role, seen, new)
        if (asked := _allowed(number, allowed, Status.BLACKLISTED in (seen, new))) is not None:
            return asked
    if seen != current.status:
        return _refused(number, DomainError("status_move_refused"))
    if not form.validate_on_submit() or new is None:
        return None
    return _refuse_as_asked(number, patron, form, new, seen)


def _refuse_as_asked(
    number: str, patron: Patron, form: RefuseForm, new: Status, seen: Status
) -> Response | None:
    """Refuse the patron as the valid form asks: to the patron screen, or None to show the
    reason's error."""
    reason = required_text(form.reason)
    try:
        refuse(db.session(), current_user, patron, new, reason, seen, payment_provider(), now())
    except DomainError as error:
        db.session.rollback()
        if error.code.startswith("text_"):
            add_error(form.reason, refusal_message(error))
            return None
        return _refused(number, error)
    except PaymentProviderError:
        db.session.rollback()
        return _provider_failed(number)
    db.session.commit()
    flash(_(DONE_WORDS[new], name=patron.display_name), "success")
    return redirect(url_for("staff.patron", number=number), code=303)


def _refused(number: str, error: DomainError) -> Response:
    """The page again as it is now (the status changed meanwhile), saying why nothing changed."""
    flash(refusal_message(error), "error")
    return redirect(url_for("staff.subscription_status", number=number), code=303)


def _provider_failed(number: str) -> Response:
    """The page again: direct debit could not be stopped or started, so nothing changed."""
    flash(_("The payment provider did not answer. Nothing was changed: try again."), "error")
    return redirect(url_for("staff.subscription_status", number=number), code=303)


def _allowed(number: str, allowed: bool, blacklist: bool) -> Response | None:
    """403 for a change the member's role does not allow; one that sets, changes or lifts a
    blacklist asks for a fresh code first (and comes back to the page); None to go on."""
    if not allowed:
        abort(403)
    if blacklist and not staff_session.second_factor_within(FRESH_MINUTES):
        return staff_session.ask_second_factor(url_for("staff.subscription_status", number=number))
    return None


def _page(number: str, patron: Patron, current: Subscription | None, form: RefuseForm) -> str:
    """The page: the subscription, its refusal (why, who, when) and the forms allowed."""
    lift_form = LiftForm()
    if current is not None:
        form.seen.data = lift_form.refusal.data = current.status.value
    refusal = desk_refusal(db.session(), patron, current)
    liftable = refusal is not None and may_lift(current_member().role, refusal.status)
    return render_template(
        "portal/staff/subscription_status.html",
        number=number,
        patron=patron,
        current=current,
        refusal=refusal,
        form=form,
        lift_form=lift_form if liftable else None,
        words=patron_words,
    )


def _seen(field: HiddenField) -> Status:
    """The status the page showed; a request with none that is known is a bad one."""
    seen = _status(field.data)
    if seen is None:
        abort(400)
    return seen


def _status(value: str | None) -> Status | None:
    """The status of this value, if it names one."""
    try:
        return Status(value or "")
    except ValueError:
        return None


__all__ = ["bp", "lift_refusal", "subscription_status"]
