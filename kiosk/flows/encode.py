"""Encoding a blank card: wait for one, reserve its number, write and read back, then link it.

The portal links the card (`activate_card`) only after the read-back matched, so a card pulled
or failing half-way is never half-linked: it is retried, or set aside for another blank card.
A card that already carries the number the portal reserves for this patron and chip (written by
an earlier try whose read-back or linking failed) is linked without writing it again."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from kiosk.context import Kiosk
from kiosk.flows.identify import mark_written
from kiosk.flows.session import PatronSession
from kiosk.hardware.base import CardError, CardRemoved, CardTimeout, WriteVerifyError
from kiosk.hardware.library_card import CardContents, LibraryCard, read_from, write_card
from kiosk.portal_client import PortalRefused, PortalUnavailable

WRITE_ATTEMPTS = 3
SLICE_SECONDS = 0.5  # how often a wait looks whether the patron's session still runs
ACTIVATION_WAITS = (1.5, 3.0)  # seconds between the tries: 3 tries in about 5 s
WRITE_FAILURES = (CardRemoved, CardError, WriteVerifyError, CardTimeout)


class SessionGone(Exception):
    """The patron's session ended (idle, stop) while the card was being collected."""


class CardNotLinked(Exception):
    """The card is written and read back, but the portal could not be reached to link it."""


@dataclass
class EncodeProgress:
    """What the encoding job is doing now, for the page to show (a status code)."""

    status: str = "waiting"


class CardEncoder:
    """One patron's blank-card step: runs in a job, holding the card reader throughout."""

    def __init__(self, kiosk: Kiosk, session: PatronSession, timeout: float) -> None:
        self._kiosk, self._session, self._timeout = kiosk, session, timeout
        self._devices = kiosk.devices
        self.progress = EncodeProgress()
        self.holding_reader = threading.Event()  # from now on a card placed is this job's

    def run(self) -> dict[str, Any]:
        """Encode and link a blank card; the portal's activation answer."""
        with self._devices.reader_for_flow():
            self.holding_reader.set()
            return self._until_one_works()

    def _until_one_works(self) -> dict[str, Any]:
        """Try cards one by one until one carries the patron's number, then link it."""
        while True:
            contents = self._next_card()
            number = self._encoded(contents)
            if number is not None:
                # Written and read back: link it even if the patron just left, so the
                # encoded card is never left pending.
                self.progress.status = "activating"
                mark_written(self._kiosk, contents.uid)
                return self._activate(number, contents.uid)
            self._wait_until_taken()

    def _next_card(self) -> CardContents:
        """What the next card placed on the reader carries."""
        while True:
            self._report("waiting")
            self._await(present=True)
            try:
                return read_from(self._devices.card_reader, self._reader, SLICE_SECONDS)
            except (CardRemoved, CardError):
                continue

    def _encoded(self, contents: CardContents) -> str | None:
        """The patron's number on this card: written now, or found there already (written by
        this patron's earlier try); None when the card is refused or set aside."""
        reserved = self._reserve(contents.uid)
        on_card = contents.card.card_number if contents.card else None
        if reserved is not None and on_card is None:
            return self._write_with_retries(contents.uid, reserved)
        if reserved is not None and on_card == reserved.card_number:
            return on_card
        self._report("in_use")
        return None

    def _reserve(self, uid: bytes) -> LibraryCard | None:
        """The card the portal reserved for this chip (the same number for the same patron and
        chip however often asked); None when the chip is on an issued card."""
        try:
            reserved = self._kiosk.portal.reserve_card(self._session.ticket or "", uid.hex())
        except PortalRefused as refusal:
            if refusal.code != "chip_in_use":
                raise
            return None
        return LibraryCard(reserved["card_number"], reserved["isil"])

    def _write_with_retries(self, uid: bytes, card: LibraryCard) -> str | None:
        """Write the reserved number (retrying a moved card); None when the card is set aside."""
        for attempt in range(WRITE_ATTEMPTS):
            self._report("writing" if attempt == 0 else "hold_still")
            try:
                self._write(uid, card)
                return card.card_number
            except WRITE_FAILURES:
                continue
        self._report("set_aside")
        return None

    def _activate(self, number: str, uid: bytes) -> dict[str, Any]:
        """Link the card, trying again while the portal is away (activating is idempotent);
        CardNotLinked when it stays away."""
        waits = iter(ACTIVATION_WAITS)
        while True:
            try:
                return self._kiosk.portal.activate_card(
                    self._session.ticket or "", number, uid.hex(), self._session.language
                )
            except PortalUnavailable as error:
                wait = next(waits, None)
                if wait is None:
                    raise CardNotLinked(number) from error
                self._kiosk.clock.sleep(wait)

    def _write(self, uid: bytes, card: LibraryCard) -> None:
        """Write and read back `card` on the card with this UID (another card fails)."""
        self._await(present=True)
        with self._devices.card_reader.connect(self._reader, SLICE_SECONDS) as session:
            if session.uid() != uid:
                raise CardRemoved("another card was put on the reader")
            write_card(session, card)

    def _wait_until_taken(self) -> None:
        """Wait for the refused or set-aside card to leave the reader."""
        self._await(present=False)

    def _await(self, present: bool) -> None:
        """Wait for a card to come (or go); CardTimeout when the time is up on the kiosk's clock."""
        clock = self._kiosk.clock
        deadline = clock.monotonic() + self._timeout
        reader = self._devices.card_reader
        # Each slice waits on the real reader in real time; the patron's time is the kiosk's.
        while not reader.wait_for_card(self._reader, present, SLICE_SECONDS):
            self._check_session()
            if clock.monotonic() > deadline:
                raise CardTimeout("no blank card came" if present else "the card stayed")

    def _report(self, status: str) -> None:
        """Show progress; stop when the patron's session ended meanwhile."""
        self._check_session()
        self._kiosk.sessions.touch(self._session)
        self.progress.status = status

    def _check_session(self) -> None:
        """SessionGone when the patron's session ended (idle, stop): free the reader."""
        if self._kiosk.sessions.current() is not self._session:
            raise SessionGone

    @property
    def _reader(self) -> str:
        """The card reader's name."""
        return self._devices.card_reader_name
