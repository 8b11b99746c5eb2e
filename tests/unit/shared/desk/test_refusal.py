"""The desk refusing a patron (invalid, blacklisted) and lifting it, as services: the roles, the
reason, the audit log, what lifting goes back to, and the patron's other subscriptions."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from shared.accounts.staff import create_staff_login
from shared.clock import ManualClock
from shared.desk.audit import entries
from shared.desk.refusal import LIFTED, REFUSED, desk_refusal, lift, refusals_offered, refuse
from shared.errors import DomainError
from shared.memberships.youth import move_now
from shared.models.account import LoginAccount
from shared.models.patron import Patron
from shared.models.patron import SubscriptionStatus as Status
from shared.models.staff import StaffRole
from shared.patrons.status import IllegalMove
from shared.payments.direct_debit import charge_period
from shared.timeutil import local_today
from tests.support.factories import create_patron, create_subscription
from tests.unit.shared.test_committing import UNREACHABLE

INVALID, BLACK = Status.INVALID, Status.BLACKLISTED


def staff(session: Session, role: StaffRole, now: datetime) -> LoginAccount:
    """A staff login of this role."""
    return create_staff_login(session, role.value, f"{role.value}@example.nl", role, now).account


def no_webhook(_subscription: object) -> str:
    """No schedule is started here: no subscription is paid by direct debit."""
    return ""


@pytest.fixture
def desk(db_session: Session, clock: ManualClock) -> LoginAccount:
    """A desk member."""
    return staff(db_session, StaffRole.DESK, clock.now())


@pytest.fixture
def coordinator(db_session: Session, clock: ManualClock) -> LoginAccount:
    """A coordinator."""
    return staff(db_session, StaffRole.COORDINATOR, clock.now())


@pytest.fixture
def patron(db_session: Session, clock: ManualClock) -> Patron:
    """A patron with a Basis subscription from today."""
    return create_patron(db_session, None, clock.now(), subscription="0045")


def test_the_desk_makes_a_subscription_invalid_with_its_reason_in_the_audit_log(
    db_session: Session, clock: ManualClock, desk: LoginAccount, patron: Patron
) -> None:
    now = clock.now()
    current = refuse(
        db_session, desk, patron, INVALID, "  Adres  bestaat niet ", Status.NORMAL, UNREACHABLE, now
    )
    assert (current.status, current.status_reason, current.status_changed_at) == (
        INVALID,
        "Adres  bestaat niet",
        now,
    )
    (entry,) = entries(db_session, patron_id=patron.id)
    assert (entry.action, entry.staff_username, entry.at) == (REFUSED, "desk", now)
    assert entry.before == {"status": "normal", "status_reason": ""}
    assert entry.after == {"status": "invalid", "status_reason": "Adres  bestaat niet"}
    shown = desk_refusal(db_session, patron, current)
    assert shown is not None and (shown.status, shown.reason, shown.since, shown.by) == (
        INVALID,
        "Adres  bestaat niet",
        now,
        "desk",
    )


@pytest.mark.parametrize(
    ("reason", "code"),
    [("", "text_required"), ("  .. ", "text_required"), ("x" * 201, "text_too_long"),
     ("Fraude\u202e", "text_not_allowed")],
)  # fmt: skip
def test_a_reason_is_required_plain_and_fits(
    db_session: Session,
    clock: ManualClock,
    desk: LoginAccount,
    patron: Patron,
    reason: str,
    code: str,
) -> None:
    with pytest.raises(DomainError) as refused:
        refuse(db_session, desk, patron, INVALID, reason, Status.NORMAL, UNREACHABLE, clock.now())
    assert refused.value.code == code and refused.value.params["field"] == "reason"
    assert patron.subscriptions[0].status == Status.NORMAL
    assert entries(db_session, patron_id=patron.id) == []


def test_what_touches_a_blacklist_is_the_coordinators(
    db_session: Session,
    clock: ManualClock,
    desk: LoginAccount,
    coordinator: LoginAccount,
    patron: Patron,
) -> None:
    now = clock.now()
    assert refusals_offered(StaffRole.DESK, Status.NORMAL) == [INVALID]
    assert refusals_offered(StaffRole.DESK, INVALID) == []
    assert refusals_offered(StaffRole.DESK, BLACK) == []
    assert refusals_offered(StaffRole.COORDINATOR, Status.INVOICED) == [INVALID, BLACK]
    assert refusals_offered(StaffRole.COORDINATOR, INVALID) == [BLACK]
    with pytest.raises(DomainError, match="coordinator_only"):
        refuse(db_session, desk, patron, BLACK, "Agressief", Status.NORMAL, UNREACHABLE, now)
    refuse(db_session, desk, patron, INVALID, "Post komt terug", Status.NORMAL, UNREACHABLE, now)
    with pytest.raises(DomainError, match="coordinator_only"):
        refuse(db_session, desk, patron, BLACK, "Agressief", INVALID, UNREACHABLE, now)
    refuse(db_session, coordinator, patron, BLACK, "Agressief", INVALID, UNREACHABLE, now)
    for step in (
        lambda: lift(db_session, desk, patron, BLACK, UNREACHABLE, no_webhook, now),
        lambda: refuse(
            db_session, desk, patron, INVALID, "Toch alleen ongeldig", BLACK, UNREACHABLE, now
        ),
    ):
        with pytest.raises(DomainError, match="coordinator_only"):
            step()
    assert (
        lift(db_session, coordinator, patron, BLACK, UNREACHABLE, no_webhook, now).status
        == Status.NORMAL
    )
    actions = [e.action for e in reversed(entries(db_session, patron_id=patron.id))]
    assert actions == [REFUSED, REFUSED, LIFTED]


def test_a_status_seen_before_another_change_or_no_refusal_is_refused(
    db_session: Session, clock: ManualClock, coordinator: LoginAccount, patron: Patron
) -> None:
    now = clock.now()
    with pytest.raises(IllegalMove):
        refuse(
            db_session,
            coordinator,
            patron,
            Status.CANCELLED,
            "Opzeggen",
            Status.NORMAL,
            UNREACHABLE,
            now,
        )
    refuse(
        db_session,
        coordinator,
        patron,
        INVALID,
        "Fraude onderzoeken",
        Status.NORMAL,
        UNREACHABLE,
        now,
    )
    with pytest.raises(IllegalMove):  # the page showed normal: another member refused meanwhile
        refuse(db_session, coordinator, patron, BLACK, "Fraude", Status.NORMAL, UNREACHABLE, now)
    with pytest.raises(IllegalMove):
        lift(db_session, coordinator, patron, BLACK, UNREACHABLE, no_webhook, now)
    nobody = create_patron(db_session, None, now)
    with pytest.raises(DomainError, match="no_subscription"):
        refuse(
            db_session,
            coordinator,
            nobody,
            INVALID,
            "Geen abonnement",
            Status.NORMAL,
            UNREACHABLE,
            now,
        )
    assert patron.subscriptions[0].status == INVALID
    assert len(entries(db_session, patron_id=patron.id)) == 1


def test_lifting_goes_back_to_invoiced_while_a_period_is_unpaid_then_cancelled(
    db_session: Session, clock: ManualClock, desk: LoginAccount, patron: Patron
) -> None:
    now = clock.now()
    current = patron.subscriptions[0]
    charge_period(db_session, current, current.end_date + timedelta(days=1), now)
    refuse(db_session, desk, patron, INVALID, "Adres onbekend", Status.NORMAL, UNREACHABLE, now)
    lifted = lift(db_session, desk, patron, INVALID, UNREACHABLE, no_webhook, now)
    assert (lifted.status, lifted.status_reason) == (Status.INVOICED, "")
    assert entries(db_session, patron_id=patron.id)[0].after == {
        "status": "invoiced",
        "status_reason": "",
    }
    refuse(db_session, desk, patron, INVALID, "Adres onbekend", Status.INVOICED, UNREACHABLE, now)
    current.cancelled_at = now
    assert (
        lift(db_session, desk, patron, INVALID, UNREACHABLE, no_webhook, now).status
        == Status.CANCELLED
    )


def test_a_subscription_still_to_come_is_refused_and_lifted_along_an_ended_one_is_not(
    db_session: Session, clock: ManualClock, desk: LoginAccount
) -> None:
    now = clock.now()
    today = local_today(now)
    patron = create_patron(db_session, None, now)
    ended = create_subscription(db_session, patron, "0045", date(2020, 1, 1))
    running = create_subscription(db_session, patron, "0045", today, end=today + timedelta(days=9))
    to_come = create_subscription(db_session, patron, "0021", today + timedelta(days=10))
    refuse(
        db_session, desk, patron, INVALID, "Verhuisd zonder adres", Status.NORMAL, UNREACHABLE, now
    )
    assert [s.status for s in (ended, running, to_come)] == [Status.NORMAL, INVALID, INVALID]
    assert running.status_reason == "Verhuisd zonder adres"
    assert not any(s.usable_on(today) for s in patron.subscriptions)
    lift(db_session, desk, patron, INVALID, UNREACHABLE, no_webhook, now)
    assert [s.status for s in (ended, running, to_come)] == [Status.NORMAL] * 3


def test_a_refused_youth_member_moved_on_stays_refused(
    db_session: Session, clock: ManualClock, desk: LoginAccount
) -> None:
    now = clock.now()
    young = create_patron(db_session, None, now, birth_date=date(2010, 6, 1))
    today = local_today(now)
    youth = create_subscription(db_session, young, "jeugd", today, end=today + timedelta(days=99))
    refuse(db_session, desk, young, INVALID, "Ouders onbereikbaar", Status.NORMAL, UNREACHABLE, now)
    successor = move_now(db_session, youth, now)
    assert (successor.status, successor.status_reason) == (INVALID, "Ouders onbereikbaar")
    assert desk_refusal(db_session, young, successor) is not None
