"""Staff second factor: a current TOTP code is taken once; wrong, stale and replayed are not."""

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy.orm import Session

from shared.accounts.login import log_in
from shared.accounts.passwords import hash_password
from shared.accounts.second_factor import (
    confirm_code,
    enrol,
    enrolment_secret,
    new_secret,
    verify_code,
)
from shared.accounts.staff import create_staff_login
from shared.accounts.throttle import FREE_ATTEMPTS
from shared.clock import ManualClock
from shared.errors import DomainError
from shared.models.staff import StaffMember, StaffRole

HOME = "198.51.100.7"


def member(session: Session, clock: ManualClock) -> tuple[StaffMember, pyotp.TOTP]:
    """A desk member and the authenticator app holding its secret."""
    made = create_staff_login(session, "balie", "balie@example.nl", StaffRole.DESK, clock.now())
    staff = session.get_one(StaffMember, made.account.id)
    return staff, pyotp.parse_uri(made.otpauth_uri)


def code_at(app: pyotp.TOTP, clock: ManualClock, offset: timedelta = timedelta(0)) -> str:
    """The app's code at the clock's time (moved by `offset`)."""
    return app.at((clock.now() + offset).timestamp())


def test_a_current_code_is_taken_once(db_session: Session, clock: ManualClock) -> None:
    staff, app = member(db_session, clock)
    code = code_at(app, clock)
    verify_code(db_session, staff, code, clock.now())
    with pytest.raises(DomainError, match="second_factor_wrong"):
        verify_code(db_session, staff, code, clock.now())


@pytest.mark.parametrize("seconds", [-30, 30])
def test_a_clock_off_by_one_step_is_tolerated(
    db_session: Session, clock: ManualClock, seconds: int
) -> None:
    staff, app = member(db_session, clock)
    verify_code(db_session, staff, code_at(app, clock, timedelta(seconds=seconds)), clock.now())


@pytest.mark.parametrize("offset", [-90, 90])
def test_a_code_two_steps_away_is_refused(
    db_session: Session, clock: ManualClock, offset: int
) -> None:
    staff, app = member(db_session, clock)
    with pytest.raises(DomainError, match="second_factor_wrong"):
        verify_code(db_session, staff, code_at(app, clock, timedelta(seconds=offset)), clock.now())


@pytest.mark.parametrize("code", ["abcdef", "", "12345678901234567890"])
def test_what_is_no_code_is_refused(db_session: Session, clock: ManualClock, code: str) -> None:
    staff, _ = member(db_session, clock)
    with pytest.raises(DomainError, match="second_factor_wrong"):
        verify_code(db_session, staff, code, clock.now())


def test_an_older_code_after_a_newer_one_is_refused(
    db_session: Session, clock: ManualClock
) -> None:
    staff, app = member(db_session, clock)
    verify_code(db_session, staff, code_at(app, clock), clock.now())
    with pytest.raises(DomainError, match="second_factor_wrong"):
        verify_code(db_session, staff, code_at(app, clock, timedelta(seconds=-30)), clock.now())


def test_wrong_codes_wait_like_wrong_passwords_and_a_new_password_login_clears_nothing(
    db_session: Session, clock: ManualClock
) -> None:
    staff, app = member(db_session, clock)
    for _attempt in range(FREE_ATTEMPTS):
        with pytest.raises(DomainError, match="second_factor_wrong"):
            confirm_code(db_session, staff, "000000", clock.now(), HOME)
    staff.account.password_hash = hash_password("bekend wachtwoord")
    log_in(db_session, "balie", "bekend wachtwoord", clock.now(), HOME)  # forgets its own count
    with pytest.raises(DomainError, match="too_many_attempts"):
        confirm_code(db_session, staff, code_at(app, clock), clock.now(), HOME)
    clock.advance(timedelta(minutes=1))
    confirm_code(db_session, staff, code_at(app, clock), clock.now(), "203.0.113.9")


def test_a_new_secret_is_kept_only_after_a_right_code(
    db_session: Session, clock: ManualClock
) -> None:
    staff, app = member(db_session, clock)
    with pytest.raises(DomainError, match="second_factor_enrolled"):
        enrol(db_session, staff, new_secret(), code_at(app, clock), clock.now(), HOME)
    staff.totp_secret = None
    secret = new_secret()
    with pytest.raises(DomainError, match="second_factor_wrong"):
        enrol(db_session, staff, secret, "000000", clock.now(), HOME)
    db_session.refresh(staff)
    assert staff.totp_secret is None
    enrol(
        db_session, staff, secret, pyotp.TOTP(secret).at(clock.now().timestamp()), clock.now(), HOME
    )
    db_session.refresh(staff)
    assert staff.totp_secret == secret


def test_the_secret_to_set_up_is_the_servers_the_sessions_and_the_passwords(
    db_session: Session, clock: ManualClock
) -> None:
    staff, _ = member(db_session, clock)
    secret = enrolment_secret("server-key", staff.account, "session-1")
    assert len(secret) == 32 and pyotp.TOTP(secret).now().isdigit()
    assert enrolment_secret("server-key", staff.account, "session-1") == secret
    assert enrolment_secret("another-server", staff.account, "session-1") != secret
    assert enrolment_secret("server-key", staff.account, "session-2") != secret
    staff.account.password_hash = hash_password("een ander wachtwoord")
    assert enrolment_secret("server-key", staff.account, "session-1") != secret
