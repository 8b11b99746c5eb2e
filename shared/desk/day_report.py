"""The day report for the cash drawer: per desk and per branch, what was taken on one local day
(Europe/Amsterdam) and by which means, what was waived and what was refunded.

What counts: paid payments whose `paid_at` falls on the day and that were taken at a desk (cash,
its PIN terminal, a link it mailed: counted when paid) or at a kiosk (for the kiosk's branch);
waivers made that day; refunds given at a desk that day, unless they failed or were cancelled.
Payments patrons make themselves online (signup, renewals) are not the drawer's."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from shared.desk.desks import find_desk, list_desks
from shared.errors import DomainError
from shared.models.catalogue import Branch
from shared.models.desk import Desk, Waiver
from shared.models.kiosk import KioskDevice
from shared.models.payment import Payment, PaymentMethod, PaymentStatus, Refund, RefundStatus
from shared.money import to_amount
from shared.timeutil import LOCAL_TZ

ZERO = Decimal("0.00")
GIVEN = [status.value for status in RefundStatus if status.returns_money]


@dataclass
class Totals:
    """What one desk, the kiosks or a whole branch took, waived and refunded."""

    methods: dict[PaymentMethod, Decimal] = field(
        default_factory=lambda: dict.fromkeys(PaymentMethod, ZERO)
    )
    waived: Decimal = ZERO
    refunded: Decimal = ZERO
    refunded_cash: Decimal = ZERO

    @property
    def taken(self) -> Decimal:
        """Everything taken, by any means."""
        return to_amount(sum(self.methods.values(), ZERO))

    @property
    def drawer(self) -> Decimal:
        """What the cash drawer should have gained: cash taken less cash given back."""
        return to_amount(self.methods[PaymentMethod.CASH] - self.refunded_cash)

    def as_json(self) -> dict[str, object]:
        """Amounts as strings with two decimals, methods by their code."""
        return {
            "methods": {method.value: f"{amount:.2f}" for method, amount in self.methods.items()},
            "taken": f"{self.taken:.2f}",
            "waived": f"{self.waived:.2f}",
            "refunded": f"{self.refunded:.2f}",
            "drawer": f"{self.drawer:.2f}",
        }


@dataclass
class DayReport:
    """The day's totals (of one branch or desk, or all), per desk and for the kiosks."""

    day: date
    branch: str | None
    total: Totals
    desks: dict[Desk, Totals]
    kiosks: Totals

    def as_json(self) -> dict[str, object]:
        """The report as the stable JSON of `desk day-report --json`."""
        desks = [
            {"desk": desk.code, "name": desk.name, "branch": desk.branch.code} | totals.as_json()
            for desk, totals in self.desks.items()
        ]
        head = {"date": self.day.isoformat(), "branch": self.branch}
        return head | self.total.as_json() | {"desks": desks, "kiosks": self.kiosks.as_json()}


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first moment of the local day and of the next (DST days have 23 or 25 hours)."""
    start = datetime.combine(day, time(), LOCAL_TZ)
    return start, datetime.combine(day + timedelta(days=1), time(), LOCAL_TZ)


def day_report(
    session: Session, day: date, branch_code: str | None = None, desk_code: str | None = None
) -> DayReport:
    """The report of one local day: of every branch, one branch, or one desk."""
    desk = find_desk(session, desk_code) if desk_code else None
    branch = _branch(session, branch_code) or (desk.branch if desk else None)
    if desk and desk.branch != branch:
        raise DomainError("desk_not_in_branch", desk=desk.code, branch=branch_code)
    desks = [desk] if desk else [d for d in list_desks(session) if branch in (None, d.branch)]
    code = branch.code if branch else None
    report = DayReport(day, code, Totals(), {d: Totals() for d in desks}, Totals())
    _fill(session, report, day_bounds(day), branch, desk)
    _sum(report.total, [*report.desks.values(), report.kiosks])
    return report


def _fill(
    session: Session,
    report: DayReport,
    bounds: tuple[datetime, datetime],
    branch: Branch | None,
    desk: Desk | None,
) -> None:
    """Count the day's payments, waivers and refunds in their desk's totals (or the kiosks')."""
    by_id: dict[int | None, Totals] = {d.id: report.desks[d] for d in report.desks}
    desk_ids = [d.id for d in report.desks]
    by_id[None] = report.kiosks  # a payment at a kiosk has no desk
    for method, amount, desk_id in session.execute(_taken(bounds, branch, desk)):
        by_id[desk_id].methods[method] += amount
    for amount, desk_id in session.execute(_waived(bounds, desk_ids)):
        by_id[desk_id].waived += amount
    for amount, method, desk_id in session.execute(_refunded(bounds, desk_ids)):
        by_id[desk_id].refunded += amount
        by_id[desk_id].refunded_cash += amount if method == PaymentMethod.CASH else ZERO


def _branch(session: Session, code: str | None) -> Branch | None:
    """The branch of this code (None: every branch); refused when unknown."""
    if code is None:
        return None
    branch = session.scalar(select(Branch).where(Branch.code == code))
    if branch is None:
        raise DomainError("unknown_branch", branch=code)
    return branch


def _taken(
    bounds: tuple[datetime, datetime], branch: Branch | None, desk: Desk | None
) -> Select[PaymentMethod, Decimal, int | None]:
    """The payments taken at desks and kiosks that were paid that day (by the index on
    `paid_at`), of the branch or desk asked."""
    start, end = bounds
    query = (
        select(Payment.method, Payment.amount, Payment.desk_id)
        .outerjoin(Desk, Desk.id == Payment.desk_id)
        .outerjoin(KioskDevice, KioskDevice.id == Payment.kiosk_device_id)
        .where(Payment.status == PaymentStatus.PAID, Payment.paid_at >= start)
        .where(Payment.paid_at < end)
    )
    return query.where(_place(branch, desk))


def _place(branch: Branch | None, desk: Desk | None) -> ColumnElement[bool]:
    """Taken at that desk, or at a desk or kiosk of that branch (of any, when None)."""
    if desk is not None:
        return Payment.desk_id == desk.id
    if branch is None:
        return or_(Payment.desk_id.is_not(None), Payment.kiosk_device_id.is_not(None))
    return or_(
        and_(Payment.desk_id.is_not(None), Desk.branch_id == branch.id),
        and_(Payment.kiosk_device_id.is_not(None), KioskDevice.branch_id == branch.id),
    )


def _waived(
    bounds: tuple[datetime, datetime], desk_ids: Iterable[int]
) -> Select[Decimal, int | None]:
    """The waivers made at these desks that day."""
    start, end = bounds
    return select(Waiver.amount, Waiver.desk_id).where(
        Waiver.created_at >= start, Waiver.created_at < end, Waiver.desk_id.in_(list(desk_ids))
    )


def _refunded(
    bounds: tuple[datetime, datetime], desk_ids: Iterable[int]
) -> Select[Decimal, PaymentMethod, int | None]:
    """The refunds given at these desks that day that did not fail, with their payment's means."""
    start, end = bounds
    return (
        select(Refund.amount, Payment.method, Refund.desk_id)
        .join(Payment, Payment.id == Refund.payment_id)
        .where(Refund.created_at >= start, Refund.created_at < end)
        .where(Refund.desk_id.in_(list(desk_ids)), Refund.status.in_(GIVEN))
    )


def _sum(total: Totals, parts: Iterable[Totals]) -> None:
    """Add the parts up into the total."""
    for part in parts:
        for method, amount in part.methods.items():
            total.methods[method] += amount
        total.waived += part.waived
        total.refunded += part.refunded
        total.refunded_cash += part.refunded_cash
