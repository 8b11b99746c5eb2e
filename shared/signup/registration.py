"""Online signup (*Word lid*): the registration state machine, from choice to activated patron."""

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.accounts.passwords import hash_password
from shared.catalogue.costs import Costs, cost_build_up
from shared.db import rows_changed
from shared.errors import DomainError
from shared.models.account import LoginAccount
from shared.models.catalogue import Branch, SubscriptionType
from shared.models.patron import Patron, PaymentPlan
from shared.models.registration import Registration, RegistrationState
from shared.patrons.subscriptions import check_age, is_youth
from shared.text import check_text, require_text
from shared.timeutil import local_today

STEPS = ("subscription", "account", "details", "review")
# The patron's text fields, each checked against the patron column that will keep it.
REQUIRED_DETAILS = ("initials", "surname", "postcode", "house_number", "street", "city", "country")
OPTIONAL_DETAILS = ("prefix", "first_name", "phone", "library_email", "iban")
# PostgreSQL names the constraint, SQLite the column: both messages hold this.
USERNAME_CONSTRAINT = "username_key"


@dataclass(frozen=True)
class PersonalDetails:
    """What the patron types about themselves; validated by the form."""

    initials: str
    prefix: str
    surname: str
    first_name: str
    birth_date: date
    gender: str
    postcode: str
    house_number: str
    street: str
    city: str
    country: str
    phone: str
    library_email: str
    newsletter: bool
    iban: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict for the registration row."""
        return {**asdict(self), "birth_date": self.birth_date.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PersonalDetails":
        """The details stored on a registration row."""
        return cls(**{**data, "birth_date": date.fromisoformat(data["birth_date"])})


def find_draft(session: Session, public_id: str | None) -> Registration | None:
    """The registration a browser session points at, if it is still there."""
    if not public_id:
        return None
    return session.scalar(select(Registration).where(Registration.public_id == public_id))


def start_or_update(
    session: Session,
    registration: Registration | None,
    code: str,
    locale: str,
    payment_plan: str | None,
    now: datetime,
) -> Registration:
    """Record the chosen subscription and plan, starting a registration when there is none."""
    subscription = session.get(SubscriptionType, code)
    if subscription is None or not subscription.online_signup:
        raise DomainError("subscription_not_offered")
    plan = choose_plan(subscription, payment_plan, locale)
    if registration is None:
        registration = Registration(
            subscription_code=code, locale=locale, state=RegistrationState.DRAFT, created_at=now
        )
        session.add(registration)
    _require_draft(registration)
    registration.subscription_code = code
    registration.subscription_type = subscription
    registration.locale = locale
    registration.payment_plan, registration.updated_at = plan, now
    session.flush()
    return registration


def choose_plan(subscription: SubscriptionType, wanted: str | None, locale: str) -> PaymentPlan:
    """The payment plan as chosen, if the subscription offers it; a subscription with one way to
    pay needs no choice. A plan it does not offer is refused, never swapped for another."""
    plans = [PaymentPlan(plan) for plan in subscription.payment_plans]
    if wanted is None and len(plans) == 1:
        return plans[0]
    if wanted is None:
        raise DomainError("payment_plan_required", subscription=subscription.name(locale))
    if wanted not in plans:
        raise DomainError("payment_plan_not_offered", subscription=subscription.name(locale))
    return PaymentPlan(wanted)


def set_account(
    session: Session,
    registration: Registration,
    username: str,
    email: str,
    password: str,
    now: datetime,
) -> LoginAccount:
    """Create the login account, or update the one this registration created before."""
    _require_draft(registration)
    require_text("username", username, LoginAccount.username)
    require_text("email", email, LoginAccount.email)
    key = username.casefold()
    owner = session.scalar(select(LoginAccount).where(LoginAccount.username_key == key))
    account = registration.login_account
    if owner is not None and owner is not account:
        raise DomainError("username_taken", username=username)
    if account is None:
        account = LoginAccount(locale=registration.locale, created_at=now)
        session.add(account)
        registration.login_account = account
    account.username, account.username_key, account.email = username, key, email
    account.password_hash = hash_password(password)
    registration.updated_at = now
    _flush_unless_taken(session, username)
    return account


def _flush_unless_taken(session: Session, username: str) -> None:
    """Write the account. The same username submitted at the same moment elsewhere (another
    thread or portal process, between the check and this write) is refused as taken by the
    database; the caller rolls back, as after every refusal."""
    try:
        session.flush()
    except IntegrityError as error:
        if USERNAME_CONSTRAINT not in str(error.orig):
            raise
        raise DomainError("username_taken", username=username) from error


def set_details(
    session: Session,
    registration: Registration,
    details: PersonalDetails,
    branch_code: str,
    now: datetime,
) -> None:
    """Store the personal details and home branch, checking text, age and branch."""
    _require_draft(registration)
    check_details(details)
    check_subscription_age(registration.subscription_type, details.birth_date, now)
    check_youth_first_name(details, now)
    if session.scalar(select(Branch).where(Branch.code == branch_code)) is None:
        raise DomainError("unknown_branch")
    registration.details = details.to_json()
    registration.branch_code, registration.updated_at = branch_code, now
    session.flush()


def check_details(details: PersonalDetails, optional: tuple[str, ...] = ()) -> None:
    """Refuse a required field left empty (or only spaces) and text that is no text or does not
    fit the patron's column, whichever entrance it came through; the fields named in `optional`
    may be empty (an institution's initials)."""
    for name in REQUIRED_DETAILS:
        check = check_text if name in optional else require_text
        check(name, getattr(details, name), getattr(Patron, name))
    for name in OPTIONAL_DETAILS:
        check_text(name, getattr(details, name), getattr(Patron, name))


def check_youth_first_name(details: PersonalDetails, now: datetime) -> None:
    """Refuse a youth member (under 19 today) without a first name (*roepnaam*)."""
    if is_youth(details.birth_date, local_today(now)) and not details.first_name.strip():
        raise DomainError("first_name_required")


def check_subscription_age(subscription: SubscriptionType, birth_date: date, now: datetime) -> None:
    """Refuse a birth date outside the subscription's age band on today's date."""
    refusal = check_age(subscription, birth_date, local_today(now))
    if refusal is None:
        return
    if refusal.is_youth:
        raise DomainError("youth_free", age=refusal.age)
    if refusal.max_age is None:
        raise DomainError("age_below_minimum", min=refusal.min_age, age=refusal.age)
    raise DomainError("age_outside_band", min=refusal.min_age, max=refusal.max_age, age=refusal.age)


def keep_language(registration: Registration, locale: str) -> None:
    """The language the patron finished the signup in: its mails' and its login's."""
    registration.locale = locale
    if registration.login_account is not None:
        registration.login_account.locale = locale


def next_step(registration: Registration | None) -> str:
    """The first step the patron still has to complete."""
    if registration is None:
        return "subscription"
    if registration.login_account is None:
        return "account"
    if registration.details is None or registration.branch_code is None:
        return "details"
    return "review"


def ready_to_pay(registration: Registration, now: datetime) -> None:
    """Refuse payment for a registration that is incomplete, done, or no longer fits."""
    _require_draft(registration)
    if next_step(registration) != "review":
        raise DomainError("registration_incomplete", step=next_step(registration))
    details = PersonalDetails.from_json(registration.details or {})
    check_subscription_age(registration.subscription_type, details.birth_date, now)


def signup_costs(registration: Registration) -> Costs:
    """What signing up costs, line by line: the first period and the registration fee (the
    selection codes and their discounts are the desk's)."""
    return cost_build_up(registration.subscription_type, None)


def claim_completion(session: Session, registration_id: int, now: datetime) -> bool:
    """Atomically move a draft to completed; True only for the one caller that did it."""
    claimed = rows_changed(
        session,
        update(Registration)
        .where(Registration.id == registration_id)
        .where(Registration.state == RegistrationState.DRAFT)
        .values(state=RegistrationState.COMPLETED, completed_at=now, updated_at=now)
        .execution_options(synchronize_session=False),
    )
    return claimed == 1


def _require_draft(registration: Registration) -> None:
    """Refuse changes to a registration that has been completed."""
    if registration.state != RegistrationState.DRAFT:
        raise DomainError("registration_completed")
