"""Views of the signup steps; each one thin: parse, call the signup service, redirect."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, redirect, render_template, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import Field

# types-wtforms describes WTForms 3.2, which had no SelectChoice yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from portal.extensions import db
from portal.forms import add_error, required_text
from portal.i18n import current_language
from portal.payments import unavailable_page
from portal.refusals import refusal_message
from portal.settlement import report_failure
from portal.signup.forms import AccountForm, DetailsForm, SubscriptionForm, personal_details
from portal.visitor_pages import kept_for_new_visitors
from portal.wiring import current_offer, mail_settings, now, payment_provider, payment_urls
from shared.errors import DomainError
from shared.models.catalogue import Branch
from shared.models.payment import PaymentStatus
from shared.models.registration import Registration, RegistrationState
from shared.payments.provider import PaymentProviderError
from shared.settlement.registration import pay_registration_committing, registration_payments
from shared.signup import registration as signup

bp = Blueprint("signup", __name__, url_prefix="/word-lid")
SESSION_KEY = "registration"
STEP_ENDPOINTS = {
    "subscription": "signup.choose",
    "account": "signup.account",
    "details": "signup.details",
    "review": "signup.review",
}


def current_registration() -> Registration | None:
    """The registration this browser is working on."""
    return signup.find_draft(db.session(), session.get(SESSION_KEY))


def requires_step(step: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Send the patron back to the first unfinished step before this one."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            registration = current_registration()
            if registration is not None and registration.state == RegistrationState.COMPLETED:
                return render_template("portal/signup/completed.html")
            needed = signup.next_step(registration)
            if signup.STEPS.index(needed) < signup.STEPS.index(step):
                return redirect(url_for(STEP_ENDPOINTS[needed]))
            return view(registration, *args, **kwargs)

        return wrapped

    return decorator


def render_step(step: str, **context: Any) -> str:
    """A signup step page with the progress indicator."""
    return render_template(f"portal/signup/{step}.html", step=step, steps=step_labels(), **context)


def save_step(
    action: Callable[[], object], error_field: Field, next_endpoint: str
) -> Response | None:
    """Run a signup service call: commit and go on, or roll back and show why at the field."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        add_error(error_field, refusal_message(error))
        return None
    db.session.commit()
    return redirect(url_for(next_endpoint), code=303)


def step_labels() -> list[tuple[str, str]]:
    """The steps as the patron sees them."""
    names = [_("Subscription"), _("Login account"), _("Your details"), _("Check and pay")]
    return list(zip(signup.STEPS, names, strict=True))


@bp.route("", methods=["GET", "POST"])
@kept_for_new_visitors(lambda: current_offer().version)
@requires_step("subscription")
def choose(registration: Registration | None) -> str | Response:
    """Step 1: choose a subscription."""
    offered = current_offer().subscriptions
    form = SubscriptionForm(
        data={
            "subscription": registration and registration.subscription_code,
            "payment_plan": registration and registration.payment_plan,
        }
    )
    locale = current_language()
    form.subscription.choices = [SelectChoice(s.code, s.name(locale)) for s in offered]
    if form.validate_on_submit():
        choice = (form.subscription.data, locale, form.payment_plan.data or None)
        try:
            registration = signup.start_or_update(db.session(), registration, *choice, now())
        except DomainError as error:
            db.session.rollback()
            form.payment_plan.errors = [refusal_message(error)]
        else:
            db.session.commit()
            session[SESSION_KEY] = registration.public_id
            return redirect(url_for("signup.account"), code=303)
    plans = {s.code: s.payment_plans for s in offered}
    ask_plan = len(plans.get(form.subscription.data, ())) > 1 or bool(form.payment_plan.errors)
    return render_step("subscription", form=form, offered=offered, locale=locale, ask_plan=ask_plan)


@bp.route("/account", methods=["GET", "POST"])
@requires_step("account")
def account(registration: Registration) -> str | Response:
    """Step 2: the login account."""
    existing = registration.login_account
    form = AccountForm(
        data={"username": existing and existing.username, "email": existing and existing.email}
    )
    if form.validate_on_submit():
        data = (
            required_text(form.username),
            required_text(form.email),
            required_text(form.password),
        )
        saved = save_step(
            lambda: signup.set_account(db.session(), registration, *data, now()),
            form.username,
            "signup.details",
        )
        if saved:
            return saved
    return render_step("account", form=form, registration=registration)


@bp.route("/gegevens", methods=["GET", "POST"])
@requires_step("details")
def details(registration: Registration) -> str | Response:
    """Step 3: personal details and branch."""
    stored = (
        signup.PersonalDetails.from_json(registration.details) if registration.details else None
    )
    form = DetailsForm(
        data={**(stored.__dict__ if stored else {}), "branch": registration.branch_code}
    )
    branches = db.session.scalars(select(Branch).order_by(Branch.name))
    form.branch.choices = [SelectChoice("", _("Choose a branch"))] + [
        SelectChoice(b.code, f"{b.name}, {b.street}") for b in branches
    ]
    if form.validate_on_submit():
        details = personal_details(form)
        saved = save_step(
            lambda: signup.set_details(
                db.session(), registration, details, form.branch.data, now()
            ),
            form.birth_date,
            "signup.review",
        )
        if saved:
            return saved
    return render_step("details", form=form, registration=registration)


@bp.get("/controle")
@requires_step("review")
def review(registration: Registration) -> str:
    """Step 4: everything at a glance, with the pay button."""
    return _review_page(registration)


def _review_page(registration: Registration, error: str | None = None) -> str:
    """The review page, optionally with why paying was refused."""
    details = signup.PersonalDetails.from_json(registration.details or {})
    branch = db.session.scalar(select(Branch).where(Branch.code == registration.branch_code))
    payments = registration_payments(db.session(), registration)
    return render_step(
        "review",
        registration=registration,
        costs=signup.signup_costs(registration),
        details=details,
        branch=branch,
        error=error,
        last_payment=payments[-1] if payments else None,
    )


@bp.post("/betalen")
@requires_step("review")
def pay(registration: Registration) -> str | Response | tuple[str, int]:
    """Start (or resume) the payment and send the patron to the checkout."""
    signup.keep_language(registration, current_language())
    db.session.commit()  # paying commits its own work and takes no one else's
    try:
        payment = pay_registration_committing(
            db.session(), registration, payment_provider(), payment_urls(), mail_settings(), now()
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _review_page(registration, error=refusal_message(error)), 409
    except PaymentProviderError as error:
        db.session.rollback()
        what = "payment for registration %s could not start: %s"
        report_failure(error, what, registration.public_id)
        return unavailable_page(error)
    if payment.status == PaymentStatus.OPEN and payment.checkout_url:
        return redirect(payment.checkout_url, code=303)
    return redirect(url_for("payments.result", reference=payment.reference), code=303)


@bp.get("/nieuw")
def restart() -> Response:
    """Forget this browser's registration and start over."""
    session.pop(SESSION_KEY, None)
    return redirect(url_for("signup.choose"))
