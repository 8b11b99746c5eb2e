"""Identifying the patron in front of the kiosk through the portal."""

from __future__ import annotations

from typing import Any

from kiosk.card_watch import Tap
from kiosk.context import Kiosk
from kiosk.flows.session import PatronSession, Step
from kiosk.portal_client import PortalRefused


class TapRefused(Exception):
    """The tapped card cannot open a patron screen; `code` says why (for the message)."""

    def __init__(self, code: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(code)
        self.code, self.details = code, details or {}


def fresh_tap(kiosk: Kiosk) -> Tap | None:
    """A tap nobody handled yet that came after the last session ended, or None."""
    with kiosk.tap_lock:  # parallel polls must not both take the same tap
        tap = kiosk.watcher.tap
        if tap is None or not kiosk.watcher.present:
            return None
        if tap.at <= max(kiosk.consumed_tap_at, kiosk.sessions.ended_at) or _just_written(
            kiosk, tap
        ):
            return None
        kiosk.consumed_tap_at = tap.at
        return tap


def _just_written(kiosk: Kiosk, tap: Tap) -> bool:
    """Whether the tap is the card the kiosk just encoded, still lying where it was made."""
    uid = tap.contents.uid.hex() if tap.contents else None
    return (
        uid is not None and uid == kiosk.written_uid and kiosk.watcher.removed_at < kiosk.written_at
    )


def mark_written(kiosk: Kiosk, uid: bytes) -> None:
    """The card with this UID was just encoded: until it is taken away, it opens no session
    (the patron may have left already; the next patron must not see them)."""
    with kiosk.tap_lock:
        kiosk.written_uid, kiosk.written_at = uid.hex(), kiosk.clock.monotonic()


def identify_by_tap(kiosk: Kiosk, tap: Tap, session: PatronSession) -> None:
    """Open the patron screen of the tapped card; TapRefused when it cannot be."""
    if tap.contents is None or tap.contents.card is None:
        raise TapRefused("card_unreadable" if tap.error else "card_not_encoded")
    try:
        answer = kiosk.portal.identify(
            "card", card_number=tap.contents.card.card_number, chip_uid=tap.contents.uid.hex()
        )
    except PortalRefused as refusal:
        raise TapRefused(refusal.code, refusal.details) from None
    session.tapped_uid = tap.contents.uid.hex()
    session.identified(answer, Step.PATRON)


def card_left(kiosk: Kiosk, session: PatronSession) -> bool:
    """Whether the card that opened this session is no longer on the reader."""
    if session.proof != "card" or session.tapped_uid is None:
        return False
    tap = kiosk.watcher.tap
    if not kiosk.watcher.present or tap is None or tap.contents is None:
        return True
    return tap.contents.uid.hex() != session.tapped_uid
