"""Desks (*balies*): where staff take money, each in a branch, some with a PIN terminal."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from shared.db import insert_or_ignore
from shared.errors import DomainError
from shared.models.catalogue import Branch
from shared.models.desk import Desk
from shared.models.kiosk import KioskDevice
from shared.text import require_text


def add_desk(
    session: Session,
    code: str,
    name: str,
    branch_code: str,
    terminal_id: str | None,
    now: datetime,
) -> Desk:
    """A new desk in a branch, taking card payments on `terminal_id` when it has one."""
    require_text("code", code, Desk.code)
    require_text("name", name, Desk.name)
    branch = session.scalar(select(Branch).where(Branch.code == branch_code))
    if branch is None:
        raise DomainError("unknown_branch", branch=branch_code)
    if terminal_id is not None and not terminal_id.startswith("term_"):
        raise DomainError("invalid_terminal", terminal=terminal_id)
    if terminal_id is not None and _terminal_in_use(session, terminal_id):
        raise DomainError("terminal_in_use", terminal=terminal_id)
    if not _insert(session, (code, name, terminal_id), branch, now):
        raise DomainError("desk_code_taken")
    return find_desk(session, code)


def _terminal_in_use(session: Session, terminal_id: str) -> bool:
    """Whether a kiosk in use or another desk pays on this terminal: a payment started at one
    would cancel the other's waiting on it."""
    kiosk = select(KioskDevice.id).where(
        KioskDevice.terminal_id == terminal_id, KioskDevice.revoked_at.is_(None)
    )
    desk = select(Desk.id).where(Desk.terminal_id == terminal_id)
    return session.scalar(select(kiosk.exists() | desk.exists())) or False


def _insert(
    session: Session, desk: tuple[str, str, str | None], branch: Branch, now: datetime
) -> bool:
    """Add the desk (code, name, terminal) unless its code is taken; whether it was added."""
    code, name, terminal_id = desk
    values = {"code": code, "name": name, "branch_id": branch.id, "terminal_id": terminal_id}
    session.flush()
    return insert_or_ignore(session, Desk, values | {"created_at": now})


def find_desk(session: Session, code: str) -> Desk:
    """The desk of this code; refused when there is none."""
    desk = session.scalar(select(Desk).where(Desk.code == code).options(joinedload(Desk.branch)))
    if desk is None:
        raise DomainError("unknown_desk", desk=code)
    return desk


def list_desks(session: Session) -> list[Desk]:
    """Every desk, by branch and code."""
    query = select(Desk).join(Desk.branch).options(joinedload(Desk.branch))
    return list(session.scalars(query.order_by(Branch.code, Desk.code)))


def ensure_desk(
    session: Session, code: str, name: str, branch: Branch, terminal_id: str | None, now: datetime
) -> Desk:
    """The desk of this code, added the first time (demo data: loading again changes nothing)."""
    _insert(session, (code, name, terminal_id), branch, now)
    return find_desk(session, code)
