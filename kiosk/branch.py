"""The branch the kiosk stands in, as its receipts and slips are headed: the name and address
the portal answers the heartbeat with, or KIOSK_BRANCH_NAME until the portal answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Branch:
    """A branch's name and its address lines (street; postcode and city)."""

    name: str
    address: tuple[str, ...] = ()


def from_heartbeat(answer: dict[str, Any]) -> Branch | None:
    """The branch in the portal's heartbeat answer (None from a portal that does not say)."""
    branch = answer.get("branch")
    if not isinstance(branch, dict):
        return None
    place = f"{branch.get('postcode', '')} {branch.get('city', '')}".strip()
    lines = (branch.get("street", "").strip(), place)
    return Branch(branch.get("name", ""), tuple(line for line in lines if line))
