"""Payment return pages, the provider's webhooks, and paying a failed collection by iDEAL."""

import hmac
import logging
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from portal.extensions import csrf, db
from portal.refusals import refusal_message
from portal.settlement import check_direct_debit, report_failure, settle
from portal.wiring import mail_settings, now, payment_provider, payment_urls, webhook_signature
from shared import tokens
from shared.errors import DomainError
from shared.memberships.change_mandate import change_paid_by
from shared.models.patron import Subscription
from shared.models.payment import Payment, PaymentPurpose, PaymentStatus
from shared.payments.direct_debit import (
    check_payable,
    collections_under_way,
    pay_period,
    period_attempts,
    period_is_settled,
    period_owed,
    period_taken_back,
)
from shared.payments.provider import PaymentProviderError, PaymentRefused, ProviderUnauthorized
from shared.payments.service import find_by_reference
from shared.settlement.events import process_schedule_payment_committing

bp = Blueprint("payments", __name__)
log = logging.getLogger(__name__)


@bp.get("/word-lid/betaling/<reference>")
@bp.get("/betaling/<reference>", endpoint="payment_result")
def result(reference: str) -> str:
    """Where the patron lands after paying; works from the URL alone, in any browser."""
    payment = find_by_reference(db.session(), reference) or abort(404)
    settle(payment)
    status = payment.status
    if status == PaymentStatus.PAID:
        return _paid_page(payment)
    if status.ended_unpaid:
        return render_template(
            "portal/payments/not_paid.html", status=status, retry_url=_retry_url(payment)
        )
    return render_template("portal/payments/pending.html", payment=payment)


def _paid_page(payment: Payment) -> str:
    """The thank-you page for what the payment was for."""
    if payment.purpose == PaymentPurpose.REGISTRATION:
        session.pop("registration", None)
        return render_template("portal/payments/paid.html", payment=payment)
    if payment.purpose == PaymentPurpose.CHANGE:
        change = change_paid_by(db.session(), payment)
        return render_template("portal/payments/change_paid.html", change=change)
    if payment.purpose == PaymentPurpose.BALANCE:  # a link the desk mailed
        return render_template("portal/payments/balance_paid.html", payment=payment)
    subscription = db.session.get(Subscription, payment.subscription_id or 0)
    return render_template(
        "portal/payments/period_paid.html", payment=payment, subscription=subscription
    )


def _retry_url(payment: Payment) -> str:
    """Where to try paying again: the signup overview, Mijn account (a change's first
    payment, a link the desk mailed), or the period's payment page."""
    if payment.purpose in (PaymentPurpose.CHANGE, PaymentPurpose.BALANCE):
        return url_for("account.overview")
    if payment.purpose != PaymentPurpose.PERIOD or payment.subscription_id is None:
        return url_for("signup.review")
    token = _period_token(payment.subscription_id, payment.period_start)
    return url_for("payments.pay_instead", token=token)


def _period_token(subscription_id: int, start: date | None) -> str:
    """A link token for paying one period."""
    payload = {"subscription": subscription_id, "period": str(start)}
    return tokens.make_token(current_app.config["SECRET_KEY"], tokens.PAY_INSTEAD, payload, now())


def unavailable_page(error: PaymentProviderError, back_url: str | None = None) -> tuple[str, int]:
    """The calm page when a payment cannot start: try again soon after an outage; when Mollie
    refuses our key (staff have the alarm), paying is switched off until they fix it; when it
    refuses the payment (a method the profile lacks, an amount), why, and to ask the library."""
    refused = error.reason if isinstance(error, PaymentRefused) else None
    page = render_template(
        "portal/payments/unavailable.html",
        stopped=isinstance(error, ProviderUnauthorized),
        refused=refused,
        back_url=back_url,
    )
    return page, 422 if refused else 503


def same_secret(given: str, stored: str) -> bool:
    """Constant-time comparison, also for a URL carrying characters beyond ASCII."""
    return hmac.compare_digest(given.encode(), stored.encode())


@bp.post("/betalingen/webhook/<reference>/<secret>")
@csrf.exempt
def webhook(reference: str, secret: str) -> tuple[str, int]:
    """Mollie's trigger: check the secret, then fetch the status (the body is never trusted)."""
    payment = find_by_reference(db.session(), reference)
    signed = same_secret(secret, webhook_signature(reference))
    if payment is None:
        return _not_stored_yet(reference) if signed else ("", 200)
    if not (signed or same_secret(secret, payment.webhook_secret)):
        log.warning("webhook for payment %s with a wrong secret refused", reference)
        return "", 403
    if payment.provider_id is None:
        return _not_stored_yet(reference)
    if request.form.get("id") != payment.provider_id:
        return "", 200
    # For a paid payment, a webhook reports a refund (or chargeback) changing.
    return ("", 200) if settle(payment, check_refunds=True) else ("", 503)


def _not_stored_yet(reference: str) -> tuple[str, int]:
    """A signed webhook for a payment not stored yet, or whose Mollie id is not: Mollie can call
    while the request that creates it has not committed. Any answer but 2xx makes Mollie call
    again (after 1, 3, 7 ... minutes)."""
    log.info("webhook for payment %s before it is stored: Mollie is asked to come again", reference)
    return "", 503


@bp.post("/betalingen/webhook/incasso/<int:subscription_id>/<secret>")
@csrf.exempt
def schedule_webhook(subscription_id: int, secret: str) -> tuple[str, int]:
    """A collection of a direct-debit schedule: fetched from Mollie, recorded once, acted on."""
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None or not subscription.webhook_secret:
        return "", 200
    if not same_secret(secret, subscription.webhook_secret):
        log.warning("schedule webhook for subscription %s with a wrong secret", subscription_id)
        return "", 403
    provider = payment_provider()
    try:
        remote = provider.get_payment(request.form.get("id", ""))
        # Any schedule this URL was given to collects for this subscription: the one running,
        # or one stopped since (refused and lifted, changed) whose last collection comes late.
        if (
            remote.subscription_id is None
            or remote.customer_id != subscription.patron.mollie_customer_id
        ):
            return "", 200
        payment = process_schedule_payment_committing(
            db.session(), subscription, remote, mail_settings(), provider, now()
        )
        db.session.commit()
        if payment.status.ended_unpaid:  # the bank may have ended the mandate, and the schedule
            check_direct_debit(subscription)
    except PaymentRefused:
        db.session.rollback()
        return "", 200  # an id Mollie does not know: nothing to do, and no retry wanted
    except PaymentProviderError as error:
        db.session.rollback()
        report_failure(error, "schedule webhook for subscription %s: %s", subscription_id)
        return "", 503
    return "", 200


@bp.route("/betalen/<token>", methods=["GET", "POST"])
def pay_instead(token: str) -> str | Response | tuple[str, int]:
    """Pay a period by iDEAL after its direct debit failed (the link in the mail)."""
    subscription, start = _period_from(token)
    running = collections_under_way(db.session(), subscription.id, start)
    for attempt in [*period_attempts(db.session(), subscription.id, start), *running]:
        if not attempt.status.is_final:
            settle(attempt)
    if period_is_settled(db.session(), subscription, start):
        return render_template("portal/payments/period_paid.html", subscription=subscription)
    if (refused := _not_payable_page(subscription, start)) is not None:
        return refused
    if request.method == "GET":
        return _pay_instead_page(subscription, start)
    try:
        provider, urls = payment_provider(), payment_urls()
        payment = pay_period(db.session(), subscription, start, provider, urls, now())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if error.code == "period_paid":
            return render_template("portal/payments/period_paid.html", subscription=subscription)
        return _pay_instead_page(subscription, start, refusal_message(error)), 409
    except PaymentProviderError as error:
        db.session.rollback()
        what = "period payment for subscription %s could not start: %s"
        report_failure(error, what, subscription.id)
        return unavailable_page(error, back_url=request.path)
    if payment.status == PaymentStatus.OPEN and payment.checkout_url:
        return redirect(payment.checkout_url, code=303)
    return redirect(url_for("payments.payment_result", reference=payment.reference), code=303)


def _not_payable_page(subscription: Subscription, start: date) -> tuple[str, int] | None:
    """The page saying why the period cannot be paid now; None when it can."""
    try:
        check_payable(subscription, start)
        if collections_under_way(db.session(), subscription.id, start):
            raise DomainError("period_being_collected")
    except DomainError as error:
        return _pay_instead_page(subscription, start, refusal_message(error)), 409
    return None


def _period_from(token: str) -> tuple[Subscription, date]:
    """The subscription and period a pay link is for; 404 for a bad or expired link."""
    try:
        secret = current_app.config["SECRET_KEY"]
        payload = tokens.read_token(secret, tokens.PAY_INSTEAD, token, now())
    except tokens.TokenError as error:
        abort(410 if error.expired else 404)
    subscription = db.session.get(Subscription, payload["subscription"]) or abort(404)
    return subscription, date.fromisoformat(payload["period"])


def _pay_instead_page(subscription: Subscription, start: date, error: str | None = None) -> str:
    """What is owed for the period, with the pay button (and why paying was refused)."""
    return render_template(
        "portal/payments/pay_instead.html",
        subscription=subscription,
        period_start=start,
        taken_back=period_taken_back(db.session(), subscription.id, start),
        amount=period_owed(db.session(), subscription, start),
        error=error,
    )
