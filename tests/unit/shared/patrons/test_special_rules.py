"""The rules of the special subscriptions (seed 002): Gratis says who it is for and is held once
at a time, the trial is had once ever, none of them is taken online, and one without an end is
valid for ever, untouched by the daily membership job."""

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from shared.clock import ManualClock
from shared.errors import DomainError
from shared.mail.settings import MailSettings
from shared.memberships.daily import run_daily_committing
from shared.memberships.renewal import Renewal, RenewalRules
from shared.models.catalogue import SubscriptionType
from shared.models.patron import Patron, Subscription, SubscriptionStatus
from shared.patrons.special import check_special_rules
from shared.patrons.subscriptions import valid_through
from shared.signup.registration import start_or_update
from shared.timeutil import NO_END, local_today
from tests.support.factories import create_patron, create_subscription

TODAY = date(2026, 11, 22)
MAIL = MailSettings("secret", "bibliotheek@example.nl", *[lambda token: token] * 5)


def kind(session: Session, code: str) -> SubscriptionType:
    """The catalogue's subscription of this code."""
    return session.get_one(SubscriptionType, code)


def patron_with(session: Session, clock: ManualClock, code: str, start: date) -> Patron:
    """A patron who got a subscription of this code on `start`."""
    patron = create_patron(session, None, clock.now())
    create_subscription(session, patron, code, start)
    return patron


def refusal(session: Session, held: list[Subscription], code: str, selection: str | None) -> str:
    """The code of the rule that refuses giving it, or "" when none does."""
    try:
        check_special_rules(held, kind(session, code), selection, TODAY)
    except DomainError as error:
        return error.code
    return ""


@pytest.mark.parametrize(
    ("selection", "refused"),
    [(None, "selection_required"), ("boekstart", "selection_required"), ("personeel", "")],
)
def test_gratis_needs_a_selection_that_says_who_it_is_for(
    db_session: Session, selection: str | None, refused: str
) -> None:
    assert refusal(db_session, [], "0001", selection) == refused
    assert refusal(db_session, [], "0001", "vrijwilliger") == ""


def test_a_patron_holds_one_gratis_at_a_time(db_session: Session, clock: ManualClock) -> None:
    patron = patron_with(db_session, clock, "0001", date(2020, 1, 1))
    assert refusal(db_session, patron.subscriptions, "0001", "personeel") == "subscription_held"
    # Other subscriptions of theirs do not count, and other patrons may have one.
    assert refusal(db_session, patron.subscriptions, "0006", None) == ""
    assert refusal(db_session, [], "0001", "personeel") == ""


def test_a_gratis_that_ended_makes_room_for_another(
    db_session: Session, clock: ManualClock
) -> None:
    patron = patron_with(db_session, clock, "0001", date(2020, 1, 1))
    patron.subscriptions[0].end_date = TODAY - timedelta(days=1)  # ended when staff left
    assert refusal(db_session, patron.subscriptions, "0001", "vrijwilliger") == ""
    patron.subscriptions[0].end_date = TODAY
    assert refusal(db_session, patron.subscriptions, "0001", "vrijwilliger") == "subscription_held"


def test_the_trial_is_had_once_ever(db_session: Session, clock: ManualClock) -> None:
    patron = patron_with(db_session, clock, "0090", date(2019, 3, 1))  # ended years ago
    assert refusal(db_session, patron.subscriptions, "0090", None) == "subscription_had_once"
    patron.subscriptions[0].status = SubscriptionStatus.CANCELLED
    assert refusal(db_session, patron.subscriptions, "0090", None) == "subscription_had_once"
    other = patron_with(db_session, clock, "0045", date(2019, 3, 1))
    assert refusal(db_session, other.subscriptions, "0090", None) == ""


def test_ordinary_subscriptions_have_no_rules(db_session: Session, clock: ManualClock) -> None:
    patron = patron_with(db_session, clock, "0045", local_today(clock.now()))
    assert refusal(db_session, patron.subscriptions, "0045", None) == ""
    assert refusal(db_session, patron.subscriptions, "0045", "boekstart") == ""


@pytest.mark.parametrize("code", ["0001", "0006", "0090"])
def test_the_special_subscriptions_are_given_at_the_desk_only(
    db_session: Session, clock: ManualClock, code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        start_or_update(db_session, None, code, "nl", None, clock.now())
    assert refused.value.code == "subscription_not_offered"


@pytest.mark.parametrize(("code", "start"), [("0001", date(2026, 5, 1)), ("0006", TODAY)])
def test_one_without_an_end_is_valid_for_ever(db_session: Session, code: str, start: date) -> None:
    assert valid_through(kind(db_session, code), start) == NO_END


def test_the_trial_runs_one_month_exactly(db_session: Session) -> None:
    assert valid_through(kind(db_session, "0090"), date(2026, 1, 31)) == date(2026, 2, 27)
    assert valid_through(kind(db_session, "0090"), TODAY) == date(2026, 12, 21)


def test_the_daily_job_leaves_gratis_alone_and_lets_the_trial_end(
    db_session: Session, clock: ManualClock
) -> None:
    start = local_today(clock.now())
    gratis = patron_with(db_session, clock, "0001", start).subscriptions[0]
    trial = patron_with(db_session, clock, "0090", start).subscriptions[0]
    for days in (0, 40, 400, 4000):
        day = start + timedelta(days=days)
        rules = Renewal(day, clock.now(), RenewalRules(), MAIL)
        seen = run_daily_committing(db_session, rules, db_session.flush).seen
        assert set(seen.values()) == {0}, (day, seen)
    assert (gratis.end_date, gratis.status) == (NO_END, SubscriptionStatus.NORMAL)
    assert gratis.usable_on(start + timedelta(days=40000))
    assert trial.end_date == valid_through(trial.type, start)
    assert not trial.usable_on(start + timedelta(days=40))
