"""Registering a patron at the desk (seed 002, *Nieuwe klant toevoegen*): checked as the online
signup checks, with the subscription given at the desk, an optional login and card, what is owed
on the ledger, and the audit entry. Likely duplicates are shown first, never passed silently."""

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.accounts.desk import create_mailed_login
from shared.cards.issuing import issue_scanned_card
from shared.desk import audit
from shared.desk.duplicates import likely_duplicates
from shared.desk.subscriptions import choose_subscription
from shared.errors import DomainError
from shared.mail.settings import MailSettings
from shared.models.account import LoginAccount
from shared.models.catalogue import Branch, SubscriptionType
from shared.models.id_check import DeskIdCheck
from shared.models.patron import Gender, Patron, PaymentPlan, Subscription
from shared.patrons.name_keys import index_names
from shared.patrons.subscriptions import valid_through
from shared.payments import ledger
from shared.payments.direct_debit import period_charge_key
from shared.signup.activation import give_customer_number
from shared.signup.registration import PersonalDetails, check_details, check_youth_first_name
from shared.timeutil import local_today

# Seed 002: institutions get this birth date, so that letters get a neutral salutation.
INSTITUTION_BIRTH_DATE = date(1980, 1, 1)
# An institution (a school, a home) has a name, no initials.
INSTITUTION_OPTIONAL = ("initials",)
# Kept out of the audit log: what it needs is that the patron was registered, not their bank.
NOT_AUDITED = ("iban",)
REGISTERED = "patron.registered"  # the audit log's action


@dataclass(frozen=True)
class DeskRegistration:
    """What the desk enters for a new patron."""

    details: PersonalDetails
    branch_code: str
    subscription_code: str  # empty: the youth subscription, chosen by age
    id_checked: bool
    login: bool  # a login account, mailed to the patron's e-mail to set a password
    card_number: str  # a blank card's scanned number; empty: no card yet
    # The likely duplicates the desk was shown and chose to pass.
    passed_duplicates: frozenset[int] = frozenset()


def register_patron(
    session: Session,
    entered: DeskRegistration,
    staff: LoginAccount,
    mail: MailSettings,
    now: datetime,
) -> Patron:
    """The new patron with their subscription, and what they chose of ID mark, card and login."""
    details = as_registered(entered.details)
    check_entered(session, details, entered.passed_duplicates, now)
    kind = choose_subscription(session, entered.subscription_code, details.birth_date, now)
    patron = _new_patron(session, details, _branch(session, entered.branch_code), kind, now)
    if entered.id_checked:
        session.add(DeskIdCheck(**_checked_by(staff), patron_id=patron.id, checked_at=now))
    if entered.card_number:
        issue_scanned_card(session, patron, entered.card_number, now)
    if entered.login:
        _mailed_login(session, patron, mail, now)
    _charge(session, patron, patron.subscriptions[0], now)
    after = _audited(details) | _choices(entered, kind)
    audit.record(session, staff, REGISTERED, now, patron_id=patron.id, after=after)
    return patron


def as_registered(details: PersonalDetails) -> PersonalDetails:
    """The details as kept: an institution's birth date is INSTITUTION_BIRTH_DATE."""
    if details.gender == Gender.INSTELLING:
        return replace(details, birth_date=INSTITUTION_BIRTH_DATE)
    return details


def check_entered(
    session: Session, details: PersonalDetails, passed: frozenset[int], now: datetime
) -> None:
    """Refuse details the signup would refuse, and likely duplicates the desk did not see (the
    refusal names all that were found, by id, in `patrons`)."""
    if details.gender not in set(Gender):
        raise DomainError("unknown_gender")
    institution = details.gender == Gender.INSTELLING
    check_details(details, INSTITUTION_OPTIONAL if institution else ())
    check_youth_first_name(details, now)
    found = likely_duplicates(session, details)
    if any(patron.id not in passed for patron in found):
        ids = [patron.id for patron in found]
        raise DomainError("likely_duplicates", count=len(ids), patrons=ids)


def _branch(session: Session, code: str) -> Branch:
    """The home branch of this code."""
    branch = session.scalar(select(Branch).where(Branch.code == code))
    if branch is None:
        raise DomainError("unknown_branch")
    return branch


def _new_patron(
    session: Session,
    details: PersonalDetails,
    branch: Branch,
    kind: SubscriptionType,
    now: datetime,
) -> Patron:
    """The patron record with its customer number and first subscription from today; lending
    waits for a card."""
    values = details.to_json() | {"birth_date": details.birth_date}
    patron = Patron(**values, home_branch=branch, lending_blocked=True, created_at=now)
    give_customer_number(session, patron, kind.has_card)
    start = local_today(now)
    end = valid_through(kind, start, details.birth_date)
    first = Subscription(type=kind, start_date=start, end_date=end, price=kind.price)
    first.paid_by = PaymentPlan.ONCE
    patron.subscriptions.append(first)
    session.add(patron)
    session.flush()
    index_names(session, patron)
    return patron


def _mailed_login(session: Session, patron: Patron, mail: MailSettings, now: datetime) -> None:
    """A login account mailed to the patron's e-mail address, which it needs."""
    if not patron.library_email:
        raise DomainError("login_needs_email")
    create_mailed_login(session, patron, patron.library_email, mail, now)


def _charge(session: Session, patron: Patron, subscription: Subscription, now: datetime) -> None:
    """What the first period costs, owed on the ledger (with the key the signup uses)."""
    if subscription.price <= 0:
        return
    description = f"{subscription.type.name(patron.locale)} {subscription.start_date.isoformat()}"
    key = period_charge_key(subscription, subscription.start_date)
    ledger.charge(session, patron.id, subscription.price, description, key, now, subscription.id)


def _checked_by(staff: LoginAccount) -> dict[str, Any]:
    """Who checked, by login id and by name."""
    return {"staff_account_id": staff.id, "staff_username": staff.username}


def _audited(details: PersonalDetails) -> dict[str, Any]:
    """The details as entered, without what the audit log does not keep."""
    return {k: v for k, v in details.to_json().items() if k not in NOT_AUDITED}


def _choices(entered: DeskRegistration, kind: SubscriptionType) -> dict[str, Any]:
    """What the desk chose besides the details."""
    return {
        "branch": entered.branch_code,
        "subscription": kind.code,
        "id_checked": entered.id_checked,
        "login": entered.login,
        "card_number": entered.card_number,
        "passed_duplicates": ",".join(str(n) for n in sorted(entered.passed_duplicates)),
    }
