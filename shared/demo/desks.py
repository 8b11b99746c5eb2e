"""Demo desks: one per branch, the demo branch's with a PIN terminal of the Mollie sandbox."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.demo.patrons import DEMO_BRANCH
from shared.desk.desks import ensure_desk
from shared.models.catalogue import Branch
from shared.models.desk import Desk

# The demo kiosk pays on the sandbox's first terminal (scripts/run-embedded); its desk on the
# second, so that neither cancels what waits on the other's.
DEMO_DESK_TERMINAL = "term_sandboxKiosk2"


def load_demo_desks(session: Session, now: datetime) -> list[Desk]:
    """A desk `BALIE-<branch code>` in every branch (made on the first call)."""
    branches = session.scalars(select(Branch).order_by(Branch.code))
    return [
        ensure_desk(
            session,
            f"BALIE-{branch.code}",
            f"Balie {branch.name}",
            branch,
            DEMO_DESK_TERMINAL if branch.code == DEMO_BRANCH else None,
            now,
        )
        for branch in branches
    ]
