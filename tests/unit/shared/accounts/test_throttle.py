"""The login throttle: five free tries per account (whichever of its names is typed), then
growing waits on the clock; a quiet hour forgets; a wide attack from many addresses waits too;
unknown names are throttled alike, each on its own."""

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from shared.accounts.login import log_in
from shared.accounts.throttle import (
    FORGET_AFTER,
    WIDE_FREE_ATTEMPTS,
    account_key,
    count_failure,
    name_key,
    refuse_while_locked,
    wide_wait,
)
from shared.clock import ManualClock
from shared.errors import DomainError
from shared.models.account import LoginAccount
from tests.support.factories import PASSWORD, create_account, create_card, create_patron

HOME = "198.51.100.7"


@pytest.fixture
def account(db_session: Session, clock: ManualClock) -> LoginAccount:
    """A confirmed login account with the factories' password."""
    return create_account(db_session, clock.now(), confirmed=True)


@pytest.fixture
def names(db_session: Session, clock: ManualClock, account: LoginAccount) -> list[str]:
    """Every name the account logs in with: e-mail, username, temporary, system, card number."""
    patron = create_patron(db_session, account, clock.now())
    patron.system_number = "9" + patron.temporary_number[2:]
    card = create_card(db_session, patron, clock.now())
    numbers = [patron.temporary_number, patron.system_number, card.number]
    return [account.email.upper(), account.username, *numbers]


def fail(session: Session, login: str, clock: ManualClock, client: str = HOME) -> str:
    """One login with a wrong password; the refusal's code."""
    with pytest.raises(DomainError) as refused:
        log_in(session, login, "wrong-password", clock.now(), client)
    return refused.value.code


@pytest.mark.parametrize("known", [True, False], ids=["known", "unknown"])
def test_five_free_tries_then_one_two_four_minutes(
    db_session: Session, clock: ManualClock, account: LoginAccount, known: bool
) -> None:
    login = account.username if known else "nobody-by-that-name"
    assert [fail(db_session, login, clock) for _ in range(5)] == ["bad_credentials"] * 5
    for minutes in (1, 2, 4):
        assert fail(db_session, login, clock) == "too_many_attempts"
        clock.advance(timedelta(minutes=minutes) - timedelta(seconds=1))
        assert fail(db_session, login, clock) == "too_many_attempts"
        clock.advance(timedelta(seconds=1))
        assert fail(db_session, login, clock) == "bad_credentials"  # and the next wait begins


def test_the_wait_says_until_when(
    db_session: Session, clock: ManualClock, account: LoginAccount
) -> None:
    for _ in range(6):
        fail(db_session, account.username, clock)
    with pytest.raises(DomainError) as refused:
        log_in(db_session, account.username, PASSWORD, clock.now(), HOME)
    assert refused.value.params["until"] == clock.now() + timedelta(minutes=1)


def test_a_quiet_hour_forgets_and_a_success_clears_the_address(
    db_session: Session, clock: ManualClock, account: LoginAccount
) -> None:
    for _ in range(5):
        fail(db_session, account.username, clock)
    clock.advance(FORGET_AFTER + timedelta(seconds=1))
    assert fail(db_session, account.username, clock) == "bad_credentials"  # the first again
    assert log_in(db_session, account.username, PASSWORD, clock.now(), HOME).account == account
    for _ in range(5):
        assert fail(db_session, account.username, clock) == "bad_credentials"


def test_a_guesser_elsewhere_does_not_lock_the_patron_out_at_home(
    db_session: Session, clock: ManualClock, account: LoginAccount
) -> None:
    for _ in range(8):
        fail(db_session, account.username, clock, client="203.0.113.66")
    assert log_in(db_session, account.username, PASSWORD, clock.now(), HOME).account == account


def test_many_addresses_together_wait_a_quarter_of_an_hour(
    db_session: Session, clock: ManualClock
) -> None:
    wide = name_key("marieke85")
    for _ in range(WIDE_FREE_ATTEMPTS):
        count_failure(db_session, wide, clock.now(), wide_wait)
    with pytest.raises(DomainError) as refused:
        refuse_while_locked(db_session, [wide], clock.now())
    assert refused.value.params["until"] == clock.now() + timedelta(minutes=15)
    clock.advance(timedelta(minutes=15))
    refuse_while_locked(db_session, [wide], clock.now())


def test_every_name_of_an_account_counts_toward_one_budget_and_shares_the_lock(
    db_session: Session, clock: ManualClock, account: LoginAccount, names: list[str]
) -> None:
    assert [fail(db_session, name, clock) for name in names] == ["bad_credentials"] * 5
    for name in names:
        assert fail(db_session, name, clock) == "too_many_attempts", name
        with pytest.raises(DomainError) as refused:
            log_in(db_session, name, PASSWORD, clock.now(), HOME)
        assert refused.value.code == "too_many_attempts"
    clock.advance(timedelta(minutes=1))
    assert log_in(db_session, names[-1], PASSWORD, clock.now(), HOME).account == account


def test_a_guesser_elsewhere_trying_every_name_does_not_lock_the_patron_out_at_home(
    db_session: Session, clock: ManualClock, account: LoginAccount, names: list[str]
) -> None:
    for name in names * 2:
        fail(db_session, name, clock, client="203.0.113.66")
    assert fail(db_session, names[0], clock, client="203.0.113.66") == "too_many_attempts"
    assert log_in(db_session, names[1], PASSWORD, clock.now(), HOME).account == account


def test_the_wide_budget_of_an_account_locks_all_its_names_everywhere(
    db_session: Session, clock: ManualClock, account: LoginAccount, names: list[str]
) -> None:
    for _ in range(WIDE_FREE_ATTEMPTS):
        count_failure(db_session, account_key(account.id), clock.now(), wide_wait)
    for name in names:
        assert fail(db_session, name, clock, client="192.0.2.200") == "too_many_attempts"


def test_unknown_names_each_keep_their_own_budget(
    db_session: Session, clock: ManualClock, account: LoginAccount
) -> None:
    unknown = [f"nobody{n}@example.nl" for n in range(6)] + ["52709999999999", "2X99999999"]
    assert {fail(db_session, name, clock) for name in unknown} == {"bad_credentials"}
    assert log_in(db_session, account.username, PASSWORD, clock.now(), HOME).account == account
