"""A guest's home library for the tests: a real SIP2 server on a local port that knows some
patrons. Its frames are read and written with pysip2's codec (a third party, not ours), its
answers carry the expiry and birth date as extension fields after pysip2's standard ones."""

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from pysip2 import (
    LoginRequest,
    LoginResponse,
    PatronInformationRequest,
    PatronInformationResponse,
    decode_message,
    encode_message,
)
from pysip2.codec import calculate_checksum

ENCODING = "cp850"
INSTITUTION = "NL-087041"
LOGIN = ("openbalie", "geheim")
NO_FLAGS = " " * 14
CHARGE_DENIED = "Y" + " " * 13
EXCESSIVE_FINES = " " * 10 + "Y" + " " * 3


@dataclass
class HomePatron:
    """A patron as the home library keeps them."""

    name: str
    birth_date: date | None  # None: the system sends no birth date
    valid_through: date | None  # None: the system sends no last day
    email: str = ""
    address: str = ""
    blocked: str = ""  # the screen message of a blocked patron
    fines_blocked: bool = False  # blocked for fines, said by the status flag alone


@dataclass
class HomeLibraryServer:
    """What the server knows and what it was asked."""

    patrons: dict[str, HomePatron] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    logged_in: list[str] = field(default_factory=list)
    silent: set[str] = field(default_factory=set)  # cards it is asked about and never answers
    garbled: set[str] = field(default_factory=set)  # cards whose answer has a wrong checksum
    line_end: bytes = b"\r"  # some systems end a frame with CR LF


def _answer(server: HomeLibraryServer, frame: bytes) -> bytes | None:
    """The answer to one frame, as the home library's system gives it (None: it says nothing)."""
    request = decode_message(frame, encoding=ENCODING).message
    if isinstance(request, LoginRequest):
        server.logged_in.append(request.login_user_id)
        ok = (request.login_user_id, request.login_password) == LOGIN
        return encode_message(LoginResponse(ok="1" if ok else "0"), encoding=ENCODING)
    assert isinstance(request, PatronInformationRequest)
    card = request.patron_identifier
    server.asked.append(card)
    if card in server.silent:
        return None
    answer = _patron_information(server.patrons.get(card), request)
    if card in server.garbled:  # another checksum than the right one
        return answer[:-5] + (b"0000" if answer[-5:-1] != b"0000" else b"FFFF") + b"\r"
    return answer


def _patron_information(patron: HomePatron | None, request: PatronInformationRequest) -> bytes:
    """A 64 for the patron (or for no patron), with its extension fields and checksum."""
    response = PatronInformationResponse(
        patron_status=_status(patron),
        language="000",
        transaction_date=request.transaction_date,
        hold_items_count="0000",
        overdue_items_count="0000",
        charged_items_count="0000",
        fine_items_count="0000",
        recall_items_count="0000",
        unavailable_holds_count="0000",
        institution_id=INSTITUTION,
        patron_identifier=request.patron_identifier,
        personal_name=patron.name if patron else "",
        valid_patron="Y" if patron else "N",
        home_address=patron.address if patron else None,
        email_address=patron.email if patron else None,
        screen_message=(patron.blocked,) if patron and patron.blocked else (),
    )
    body = encode_message(response, encoding=ENCODING).rstrip(b"\r")
    if patron:
        through = f"PA{patron.valid_through:%Y%m%d}|" if patron.valid_through else ""
        born = f"PB{patron.birth_date:%Y%m%d}|" if patron.birth_date else ""
        body += f"{through}{born}".encode(ENCODING)
    prefix = body + b"AY1AZ"
    return prefix + calculate_checksum(prefix).encode("ascii") + b"\r"


def _status(patron: HomePatron | None) -> str:
    """The patron status flags the home library gives."""
    if patron and patron.blocked:
        return CHARGE_DENIED
    return EXCESSIVE_FINES if patron and patron.fines_blocked else NO_FLAGS


@contextmanager
def running_home_library(server: HomeLibraryServer) -> Iterator[int]:
    """Serve the home library on a free local port while the block runs; yields the port."""

    class Handler(socketserver.StreamRequestHandler):
        """One connection: frames up to a carriage return, each answered."""

        def handle(self) -> None:
            """Answer each frame until the client hangs up."""
            buffer = b""
            while chunk := self.request.recv(4096):
                buffer += chunk
                while b"\r" in buffer:
                    frame, buffer = buffer.split(b"\r", 1)
                    answer = _answer(server, frame + b"\r")
                    if answer is not None:
                        self.wfile.write(answer[:-1] + server.line_end)

    tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    tcp.daemon_threads = True
    thread = threading.Thread(target=tcp.serve_forever, name="sip2-home-library", daemon=True)
    thread.start()
    try:
        yield tcp.server_address[1]
    finally:
        tcp.shutdown()
        tcp.server_close()
