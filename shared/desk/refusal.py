"""The desk refuses a patron: the subscription made invalid (*ongeldig*) or blacklisted (*zwarte
lijst*) with a reason, and the refusal lifted again; each change in the audit log.

Invalid is the desk's (an address that no longer exists, a fraudulent signup to look into); a
blacklist is the coordinator's: setting it, changing it and lifting it. The patron's other
subscriptions that have not run out (one to come after this one) are refused and lifted along,
so that none of them lets the patron through."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.accounts.staff import staff_member
from shared.db import lock_row
from shared.desk import audit
from shared.errors import DomainError
from shared.models.account import LoginAccount
from shared.models.audit import AuditEntry
from shared.models.patron import REFUSED_STATUSES, Patron, Subscription
from shared.models.patron import SubscriptionStatus as Status
from shared.models.staff import StaffRole
from shared.patrons.status import IllegalMove, lift_from, lifted_status, move, move_from
from shared.patrons.subscriptions import current_subscription
from shared.payments.direct_debit import resume_schedule, stop_schedule, unpaid_periods
from shared.payments.provider import PaymentProvider
from shared.text import require_text
from shared.timeutil import local_today

REFUSED = "subscription.refused"  # the audit log's actions
LIFTED = "subscription.lifted"
ORDER = (Status.INVALID, Status.BLACKLISTED)  # the refusals, as the desk is offered them


@dataclass(frozen=True)
class DeskRefusal:
    """A refusal as the desk sees it: which, why, since when, and who set it (while the audit
    log keeps the entry)."""

    status: Status
    reason: str
    since: datetime | None
    by: str | None


def may_change(role: StaffRole, old: Status, new: Status) -> bool:
    """Whether a staff member of this role may move a subscription's status from `old` to
    `new`: what sets, changes or lifts a blacklist is the coordinator's."""
    return role == StaffRole.COORDINATOR or Status.BLACKLISTED not in (old, new)


def may_lift(role: StaffRole, refused: Status) -> bool:
    """Whether a staff member of this role may lift this refusal: a blacklist, a coordinator."""
    return role == StaffRole.COORDINATOR or refused != Status.BLACKLISTED


def refusals_offered(role: StaffRole, current: Status) -> list[Status]:
    """The refusals a staff member of this role may set on a subscription of this status."""
    return [new for new in ORDER if new != current and may_change(role, current, new)]


def refuse(
    session: Session,
    staff: LoginAccount,
    patron: Patron,
    new: Status,
    reason: str,
    seen: Status,
    provider: PaymentProvider,
    now: datetime,
) -> Subscription:
    """Make the patron's current subscription invalid or blacklisted for the reason, if its
    status is still as the desk saw it; recorded in the audit log. Direct debit stops at the
    provider (the mandate kept)."""
    if new not in REFUSED_STATUSES:
        raise IllegalMove(seen, new)
    reason = reason.strip()
    require_text("reason", reason, Subscription.status_reason)
    if not may_change(_role(session, staff), seen, new):
        raise DomainError("coordinator_only")
    current = _locked_current(session, patron)
    before = _values(current)
    values = {"status_reason": reason, "status_changed_at": now}
    if not move_from(session, current, seen, new, **values):
        raise IllegalMove(current.status, new)
    for other in _others(patron, current, local_today(now)):
        if other.status != new:
            move(session, other, new, **values)
    if seen not in REFUSED_STATUSES:
        stop_schedule(current, provider)
    audit.record(session, staff, REFUSED, now, patron.id, before, _values(current))
    return current


def lift(
    session: Session,
    staff: LoginAccount,
    patron: Patron,
    seen: Status,
    provider: PaymentProvider,
    webhook_url: Callable[[Subscription], str],
    now: datetime,
) -> Subscription:
    """Lift the refusal of the patron's current subscription, if its status is still `seen`:
    back to cancelled, invoiced (a period unpaid) or normal; recorded in the audit log. Direct
    debit starts again (see `resume_schedule`)."""
    if not may_lift(_role(session, staff), seen):
        raise DomainError("coordinator_only")
    current = _locked_current(session, patron)
    unpaid = bool(unpaid_periods(session, current))
    before = _values(current)
    values = {"status_reason": "", "status_changed_at": now}
    if not lift_from(session, current, seen, unpaid, **values):
        raise IllegalMove(current.status, lifted_status(current, unpaid))
    for other in _others(patron, current, local_today(now)):
        if other.status in REFUSED_STATUSES:
            lift_from(session, other, other.status, bool(unpaid_periods(session, other)), **values)
    resume_schedule(session, current, provider, webhook_url, now)
    audit.record(session, staff, LIFTED, now, patron.id, before, _values(current))
    return current


def desk_refusal(
    session: Session, patron: Patron, current: Subscription | None
) -> DeskRefusal | None:
    """The refusal of the patron's current subscription, if it is refused, with who set it
    (the newest refusal in the audit log)."""
    if current is None or current.status not in REFUSED_STATUSES:
        return None
    by = session.scalar(
        select(AuditEntry.staff_username)
        .where(AuditEntry.patron_id == patron.id, AuditEntry.action == REFUSED)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
    return DeskRefusal(current.status, current.status_reason, current.status_changed_at, by)


def _locked_current(session: Session, patron: Patron) -> Subscription:
    """The patron's current subscription, the patron's row locked (one change at a time)."""
    lock_row(session, Patron, patron.id)
    current = current_subscription(patron)
    if current is None:
        raise DomainError("no_subscription")
    return current


def _role(session: Session, staff: LoginAccount) -> StaffRole:
    """The staff member's role; a login without one is refused (`coordinator_only`)."""
    member = staff_member(session, staff)
    if member is None:
        raise DomainError("coordinator_only")
    return member.role


def _others(patron: Patron, current: Subscription, today: date) -> list[Subscription]:
    """The patron's subscriptions besides the current one that have not run out."""
    return [s for s in patron.subscriptions if s is not current and s.runs_through >= today]


def _values(subscription: Subscription) -> dict[str, str]:
    """What the audit log keeps of a refusal: the status and its reason."""
    return {"status": subscription.status.value, "status_reason": subscription.status_reason}
