"""Waiving a charge at the desk (*kwijtschelden*): what is still open of it is let go, with a
reason; a desk member a charge of at most a limit in full (no refund's or chargeback's line), a
coordinator any. Audited before and after."""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from shared.db import lock_row
from shared.desk import audit
from shared.desk.money import AtDesk
from shared.errors import DomainError
from shared.models.desk import Waiver
from shared.models.patron import Patron
from shared.payments import direct_debit, ledger
from shared.payments.point_of_sale import is_collecting
from shared.text import check_text

WAIVED = "charge.waived"  # the audit log's action
COORDINATORS_ONLY = ("refund:", "chargeback:")  # how the keys of such lines begin


def waive_charge(
    session: Session,
    at: AtDesk,
    patron: Patron,
    charge_key: str,
    reason: str,
    limit: Decimal | None,
    describe: Callable[[str], str],
    now: datetime,
) -> Waiver:
    """Let go what is open of the patron's charge of this key (as booked with `ledger.charge`),
    at most `limit` (None: any amount); `describe` gives the ledger line's words from the
    charge's. A waived period counts as settled (extended, unmarked), as a paid one."""
    reason = reason.strip()
    if not any(char.isalnum() for char in reason):
        raise DomainError("waive_reason_required")
    check_text("reason", reason, Waiver.reason)
    lock_row(session, Patron, patron.id)  # a double submit finds the charge waived
    if is_collecting(session, patron):
        # What the terminal takes would be paid on top of the waived charge: a credit.
        raise DomainError("waive_while_collecting")
    charge = next((c for c in ledger.open_charges(session, patron.id) if c.key == charge_key), None)
    if charge is None:
        raise DomainError("charge_not_open")
    if limit is not None:
        _within_desk_part(session, patron, charge_key, limit)
    before = ledger.balance(session, patron.id)
    amount = ledger.waive(session, patron.id, charge_key, describe(charge.description), now)
    waiver = Waiver(
        patron_id=patron.id,
        charge_key=charge_key,
        amount=amount,
        reason=reason,
        staff_account_id=at.staff.id,
        staff_username=at.staff.username,
        desk_id=at.desk.id,
        created_at=now,
    )
    session.add(waiver)
    session.flush()
    direct_debit.settle_owed_periods(session, patron.id)
    after = {"balance": ledger.balance(session, patron.id), "waived": amount, "reason": reason}
    values = {"charge": charge.description, "desk": at.desk.code}
    audit.record(session, at.staff, WAIVED, now, patron.id, {"balance": before}, after | values)
    return waiver


def _within_desk_part(session: Session, patron: Patron, charge_key: str, limit: Decimal) -> None:
    """Refuse a desk member a charge of more than the limit in full (what was paid of it
    aside: else a part payment would open the rest of any charge to waiving), and a refund's
    or a chargeback's line: money that left the library, a coordinator's to let go."""
    if charge_key.startswith(COORDINATORS_ONLY):
        raise DomainError("waive_coordinator_only")
    full = ledger.charge_amount(session, patron.id, charge_key)
    if full > limit:
        raise DomainError("waive_above_limit", limit=limit, amount=full)
