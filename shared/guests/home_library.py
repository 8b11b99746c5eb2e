"""A guest's home library, asked whether it knows a card: known or not, valid through, blocked
and why, and the personal data (seed 003). One implementation speaks SIP2 (Patron Information,
63/64) to the home library's server."""

from __future__ import annotations

import codecs
import socket
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from shared.guests.sip2 import Message, Sip2Error, decode, encode
from shared.timeutil import LOCAL_TZ

MAX_FRAME_BYTES = 65536  # a patron information answer is far smaller; more is not SIP2
# The patron status flags (positions in its 14) that block a patron, and their names for when
# the home library sends no screen message (seed 003: an expired subscription, a fine left
# unpaid too long).
BLOCKING_FLAGS = {
    0: "charge privileges denied",
    4: "card reported lost",
    10: "excessive outstanding fines",
    11: "excessive outstanding fees",
}


class HomeLibraryUnavailable(Exception):
    """The home library could not be asked (no answer, a refused login, a garbled answer)."""


@dataclass(frozen=True)
class HomePerson:
    """The personal data the home library gives: read-only here."""

    name: str
    birth_date: date | None
    address: str
    email: str
    phone: str


@dataclass(frozen=True)
class HomeCheck:
    """What the home library says of a card."""

    known: bool
    valid_through: date | None = None
    blocked: bool = False
    reason: str = ""
    person: HomePerson | None = None


class HomeLibrary(Protocol):
    """A home library that can be asked about one of its cards."""

    def check(self, card_number: str, now: datetime) -> HomeCheck:
        """What the home library says of the card now."""


@dataclass(frozen=True)
class Sip2Settings:
    """How to reach a home library's SIP2 server; the expiry and birth date are extension
    fields whose identifiers differ per library system."""

    host: str
    port: int
    institution_id: str
    login_user: str = ""
    login_password: str = ""
    location_code: str = ""
    encoding: str = "cp850"
    timeout: float = 10.0
    valid_through_field: str = "PA"
    birth_date_field: str = "PB"

    def __post_init__(self) -> None:
        codecs.lookup(self.encoding)  # LookupError at once for a character set Python lacks


class Sip2HomeLibrary:
    """A home library asked over SIP2: log in (when it asks for it), then Patron Information."""

    def __init__(self, settings: Sip2Settings) -> None:
        self.settings = settings

    def check(self, card_number: str, now: datetime) -> HomeCheck:
        """Ask the home library's SIP2 server about the card."""
        deadline = time.monotonic() + self.settings.timeout
        try:
            with socket.create_connection(self._address, self.settings.timeout) as connection:
                if self.settings.login_user:
                    self._log_in(connection, deadline)
                request = self._patron_information(card_number, now)
                answer = self._ask(connection, request, 1, deadline)
        except (OSError, UnicodeError, Sip2Error) as error:
            raise HomeLibraryUnavailable(f"{self._where}: {error}") from error
        if answer.command != "64":
            raise HomeLibraryUnavailable(f"{self._where}: answered {answer.command} to 63")
        return self._check_from(answer)

    @property
    def _address(self) -> tuple[str, int]:
        """The server's host and port."""
        return self.settings.host, self.settings.port

    @property
    def _where(self) -> str:
        """The server, for a message."""
        return f"SIP2 {self.settings.host}:{self.settings.port}"

    def _log_in(self, connection: socket.socket, deadline: float) -> None:
        """Log in (93) with the configured user; HomeLibraryUnavailable when refused."""
        fields = [("CN", self.settings.login_user), ("CO", self.settings.login_password)]
        if self.settings.location_code:
            fields.append(("CP", self.settings.location_code))
        answer = self._ask(connection, Message("93", "00", fields), 0, deadline)
        if answer.command != "94" or answer.fixed != "1":
            raise HomeLibraryUnavailable(f"{self._where}: the login was refused")

    def _patron_information(self, card_number: str, now: datetime) -> Message:
        """The Patron Information request (63) for the card, without a summary of items."""
        local = now.astimezone(LOCAL_TZ)
        fixed = "000" + f"{local:%Y%m%d}    {local:%H%M%S}" + " " * 10
        fields = [("AO", self.settings.institution_id), ("AA", card_number)]
        return Message("63", fixed, [*fields, ("AC", ""), ("AD", "")])

    def _ask(
        self, connection: socket.socket, message: Message, sequence: int, deadline: float
    ) -> Message:
        """Send a message and read the answer up to its carriage return, all before the
        deadline (a server that answers a byte at a time does not hold the patron longer)."""
        connection.sendall(encode(message, sequence, self.settings.encoding))
        received = bytearray()
        while b"\r" not in received:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Sip2Error("no whole answer within the timeout")
            connection.settimeout(remaining)
            chunk = connection.recv(4096)
            if not chunk or len(received) + len(chunk) > MAX_FRAME_BYTES:
                raise Sip2Error("the answer ended early or is too long")
            received += chunk
        answer = decode(bytes(received.split(b"\r", 1)[0]), self.settings.encoding)
        if answer.sequence is not None and answer.sequence != sequence:
            raise Sip2Error(f"the answer is to sequence {answer.sequence}, not {sequence}")
        return answer

    def _check_from(self, answer: Message) -> HomeCheck:
        """A Patron Information answer (64) as a check."""
        if answer.value("BL") != "Y":
            return HomeCheck(known=False)
        status = answer.fixed[:14]
        flags = [name for i, name in BLOCKING_FLAGS.items() if status[i : i + 1] == "Y"]
        reason = " ".join(answer.values("AF")) or ", ".join(flags)
        person = HomePerson(
            name=answer.value("AE") or "",
            birth_date=_date(answer.value(self.settings.birth_date_field)),
            address=answer.value("BD") or "",
            email=answer.value("BE") or "",
            phone=answer.value("BF") or "",
        )
        valid_through = _date(answer.value(self.settings.valid_through_field))
        return HomeCheck(True, valid_through, bool(flags), reason if flags else "", person)


def _date(value: str | None) -> date | None:
    """A SIP2 date (YYYYMMDD, maybe followed by a time), or None when absent or unreadable."""
    try:
        return datetime.strptime((value or "")[:8], "%Y%m%d").date()
    except ValueError:
        return None
