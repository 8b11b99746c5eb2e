"""The reasons for cancelling a subscription, from the catalogue: the patron chooses from those
not kept for the desk, the desk from all of them."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import DomainError
from shared.models.catalogue import CancelReason


def cancel_reasons(session: Session, desk: bool) -> list[CancelReason]:
    """The reasons offered, in catalogue order (the desk's ones too when `desk`)."""
    query = select(CancelReason).order_by(CancelReason.sort_order, CancelReason.code)
    if not desk:
        query = query.where(CancelReason.desk_only.is_(False))
    return list(session.scalars(query))


def check_reason(session: Session, code: str, desk: bool) -> str:
    """The code of a reason the patron (or the desk) may give; refused when missing or not one
    of theirs."""
    if not code:
        raise DomainError("cancel_reason_required")
    if code not in {reason.code for reason in cancel_reasons(session, desk)}:
        raise DomainError("cancel_reason_unknown")
    return code
