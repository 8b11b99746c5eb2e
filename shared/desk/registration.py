"""Registering a patron at the desk (seed 002, *Nieuwe klant toevoegen*): checked as the online
signup checks, with the subscription given at the desk (its rules checked) and a selection code,
an optional login and card, the cost build-up on the ledger line by line, and the audit entry.
Likely duplicates are shown first, and costs of more than the price gone through with the
patron, never passed silently."""

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.accounts.desk import create_mailed_login
from shared.cards.issuing import issue_scanned_card
from shared.catalogue.costs import Costs, cost_build_up
from shared.desk import audit
from shared.desk.duplicates import likely_duplicates
from shared.desk.subscriptions import choose_subscription, find_selection
from shared.errors import DomainError
from shared.mail.settings import MailSettings
from shared.models.account import LoginAccount
from shared.models.catalogue import Branch
from shared.models.id_check import DeskIdCheck
from shared.models.patron import Gender, Patron, PaymentPlan, Subscription
from shared.patrons.name_keys import index_names
from shared.patrons.special import check_special_rules
from shared.patrons.subscriptions import valid_through
from shared.payments.registration_costs import book_registration_costs
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
    selection_code: str = ""  # *selectie*: an action, or who a free subscription is for
    # The total of the cost build-up the desk went through with the patron.
    agreed_total: Decimal | None = None


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
    costs = registration_costs(session, entered, details.birth_date, now)
    patron = _new_patron(session, details, home_branch(session, entered.branch_code), costs, now)
    if entered.id_checked:
        record_desk_id_check(session, staff, patron, now)
    if entered.card_number:
        issue_scanned_card(session, patron, entered.card_number, now)
    if entered.login:
        _mailed_login(session, patron, mail, now)
    book_registration_costs(session, patron.subscriptions[0], costs, now)
    after = _audited(details) | _choices(entered, costs)
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
    check_person(details, now)
    found = likely_duplicates(session, details)
    if any(patron.id not in passed for patron in found):
        ids = [patron.id for patron in found]
        raise DomainError("likely_duplicates", count=len(ids), patrons=ids)


def check_person(details: PersonalDetails, now: datetime) -> None:
    """Refuse details the signup would refuse, with the desk's rules for an institution (no
    initials, no first name)."""
    if details.gender not in set(Gender):
        raise DomainError("unknown_gender")
    institution = details.gender == Gender.INSTELLING
    check_details(details, INSTITUTION_OPTIONAL if institution else ())
    check_youth_first_name(details, now)


def registration_costs(
    session: Session, entered: DeskRegistration, birth_date: date, now: datetime
) -> Costs:
    """The cost build-up of the subscription and selection chosen, once the catalogue's rules
    allow them (a new patron has had no subscription: the duplicate check stands for "per
    person"); one of more than the price must have been agreed as it is now."""
    kind = choose_subscription(session, entered.subscription_code, birth_date, now)
    selection = find_selection(session, entered.selection_code)
    check_special_rules((), kind, selection.code if selection else None, local_today(now))
    costs = cost_build_up(kind, selection)
    if costs.is_more_than_the_price and entered.agreed_total != costs.total:
        raise DomainError("costs_to_agree", total=costs.total, costs=costs)
    return costs


def home_branch(session: Session, code: str) -> Branch:
    """The home branch of this code."""
    branch = session.scalar(select(Branch).where(Branch.code == code))
    if branch is None:
        raise DomainError("unknown_branch")
    return branch


def _new_patron(
    session: Session,
    details: PersonalDetails,
    branch: Branch,
    costs: Costs,
    now: datetime,
) -> Patron:
    """The patron record with its customer number and first subscription from today; lending
    waits for a card."""
    kind = costs.subscription
    values = details.to_json() | {"birth_date": details.birth_date}
    patron = Patron(**values, home_branch=branch, lending_blocked=True, created_at=now)
    give_customer_number(session, patron, kind.has_card)
    start = local_today(now)
    end = valid_through(kind, start, details.birth_date)
    first = Subscription(type=kind, start_date=start, end_date=end, price=kind.price)
    first.discount, first.paid_by = costs.discount, PaymentPlan.ONCE
    first.selection_code = costs.selection.code if costs.selection else None
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


def record_desk_id_check(
    session: Session, staff: LoginAccount, patron: Patron, now: datetime
) -> None:
    """That this staff member checked the patron's ID document now (never the document)."""
    checked_by = {"staff_account_id": staff.id, "staff_username": staff.username}
    session.add(DeskIdCheck(**checked_by, patron_id=patron.id, checked_at=now))


def _audited(details: PersonalDetails) -> dict[str, Any]:
    """The details as entered, without what the audit log does not keep."""
    return {k: v for k, v in details.to_json().items() if k not in NOT_AUDITED}


def _choices(entered: DeskRegistration, costs: Costs) -> dict[str, Any]:
    """What the desk chose besides the details, and what it costs."""
    return {
        "branch": entered.branch_code,
        "subscription": costs.subscription.code,
        "selection": entered.selection_code,
        "costs": str(costs.total),
        "id_checked": entered.id_checked,
        "login": entered.login,
        "card_number": entered.card_number,
        "passed_duplicates": ",".join(str(n) for n in sorted(entered.passed_duplicates)),
    }
