"""The one patron session a kiosk holds at a time, as an explicit state machine.

Steps (`Step`):
- START: nobody is being served (the start screen); the session may only hold a language.
- PATRON: a patron identified (card tap, QR code or password) and sees their screen.
- PAYING: a payment runs on the PIN terminal; PAID when it was approved.
- COLLECT_IDENTIFY: collecting a card: the patron still has to identify (QR or password).
- ID_CHECK: the ID document is being verified.
- BLANK_CARD: waiting for a blank card on the reader, then encoding it.
- CARD_DONE: the new card is active; the slip was printed or shown.
- GUEST_CARD, GUEST_LIBRARY, GUEST_TERMS, GUEST_ID, GUEST_DONE: becoming a guest patron with
  one's own library card: the card, its library, the terms, the ID document, registered.
- DESK: self-service cannot go on; the patron is sent to the desk.
Every step may go back to START (cancel, idle, card taken away): `end()` forgets everything.
"""

from __future__ import annotations

import math
import secrets
import threading
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from shared.clock import Clock


class Step(StrEnum):
    """Where the patron is in the kiosk's flows."""

    START = "start"
    PATRON = "patron"
    PAYING = "paying"
    PAID = "paid"
    COLLECT_IDENTIFY = "collect_identify"
    ID_CHECK = "id_check"
    BLANK_CARD = "blank_card"
    CARD_DONE = "card_done"
    GUEST_CARD = "guest_card"
    GUEST_LIBRARY = "guest_library"
    GUEST_TERMS = "guest_terms"
    GUEST_ID = "guest_id"
    GUEST_DONE = "guest_done"
    DESK = "desk"


# The steps of becoming a guest: no patron yet, and a card laid is the guest's own.
GUEST_STEPS = frozenset(
    {Step.GUEST_CARD, Step.GUEST_LIBRARY, Step.GUEST_TERMS, Step.GUEST_ID, Step.GUEST_DONE}
)


class DeskReason(StrEnum):
    """Why self-service sent the patron to the desk (the ID check's verdicts are the portal's)."""

    MISMATCH = "mismatch"
    INTEGRITY = "integrity"
    EXPIRED = "expired"
    UNREADABLE = "unreadable"
    CARD = "card"
    SUBSCRIPTION = "subscription"  # ended (or none)
    REFUSED = "refused"  # the library made it invalid or blacklisted the patron
    NOT_LINKED = "not_linked"


MOVES: dict[Step, frozenset[Step]] = {
    Step.START: frozenset({Step.PATRON, Step.COLLECT_IDENTIFY, Step.GUEST_CARD}),
    Step.PATRON: frozenset({Step.PAYING, Step.ID_CHECK, Step.BLANK_CARD, Step.DESK}),
    Step.PAYING: frozenset({Step.PATRON, Step.PAID, Step.DESK}),
    Step.PAID: frozenset({Step.PATRON}),
    Step.COLLECT_IDENTIFY: frozenset({Step.PATRON, Step.ID_CHECK, Step.DESK}),
    Step.ID_CHECK: frozenset({Step.BLANK_CARD, Step.DESK}),
    Step.BLANK_CARD: frozenset({Step.CARD_DONE, Step.DESK}),
    Step.CARD_DONE: frozenset({Step.PATRON}),
    Step.GUEST_CARD: frozenset({Step.GUEST_LIBRARY, Step.GUEST_TERMS, Step.DESK}),
    Step.GUEST_LIBRARY: frozenset({Step.GUEST_TERMS, Step.DESK}),
    Step.GUEST_TERMS: frozenset({Step.GUEST_ID, Step.DESK}),
    Step.GUEST_ID: frozenset({Step.GUEST_DONE, Step.DESK}),
    Step.GUEST_DONE: frozenset(),
    Step.DESK: frozenset(),
}


class IllegalMove(RuntimeError):
    """A flow tried a move the state machine does not allow."""


@dataclass
class PatronSession:
    """What the kiosk knows of the patron in front of it; gone at `end()`."""

    id: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    step: Step = Step.START
    language: str = "nl"
    language_chosen: bool = False  # chosen on this kiosk's screen: it wins over the patron's own
    larger_text: bool = False  # switched on at this screen, for this session only
    patron: dict[str, Any] | None = None
    ticket: str | None = None
    proof: str | None = None
    tapped_uid: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    last_activity: float = field(kw_only=True)  # the store's clock, monotonic seconds

    def move(self, to: Step) -> None:
        """Go to another step, if the state machine allows it."""
        if to not in MOVES[self.step]:
            raise IllegalMove(f"{self.step} -> {to}")
        self.step = to

    def identified(self, answer: dict[str, Any], step: Step = Step.PATRON) -> None:
        """Keep the portal's ticket and patron summary from an identify answer; the patron's
        own language, unless one was chosen at this kiosk."""
        self.ticket, self.proof, self.patron = answer["ticket"], answer["proof"], answer["patron"]
        if not self.language_chosen:
            self.language = self.patron.get("locale") or self.language
        self.move(step)


class SessionStore:
    """Holds at most one session; the browser's cookie names it, anything else is a stranger.
    Idle time is measured on `clock`."""

    def __init__(self, idle_seconds: float, clock: Clock) -> None:
        self._lock = threading.RLock()
        self._current: PatronSession | None = None
        self._idle_seconds = idle_seconds
        self._clock = clock
        self.ended_at = -math.inf  # no session ended yet: any tap is a new one

    def get(self, session_id: str | None) -> PatronSession | None:
        """The live session with this id, or None (unknown, ended or idle too long)."""
        with self._lock:
            self.expire_idle()
            current = self._current
            return current if current is not None and current.id == session_id else None

    def start(
        self, language: str = "nl", chosen: bool = False, larger_text: bool = False
    ) -> PatronSession:
        """A new session, replacing (and so forgetting) any other."""
        with self._lock:
            self._current = PatronSession(
                language=language,
                language_chosen=chosen,
                larger_text=larger_text,
                last_activity=self._clock.monotonic(),
            )
            return self._current

    def touch(self, session: PatronSession) -> None:
        """The patron did something: the idle clock starts again."""
        session.last_activity = self._clock.monotonic()

    def end(self) -> PatronSession | None:
        """Forget the session and all it held; the session that ended, if there was one."""
        with self._lock:
            ended, self._current = self._current, None
            self.ended_at = self._clock.monotonic()
            return ended

    def current(self) -> PatronSession | None:
        """The live session, whoever's browser holds it (for the card watcher)."""
        with self._lock:
            return self._current

    def expire_idle(self) -> PatronSession | None:
        """End a session nobody touched for longer than the idle time; the one that ended."""
        with self._lock:
            current = self._current
            if current and self._clock.monotonic() - current.last_activity > self._idle_seconds:
                return self.end()
            return None
