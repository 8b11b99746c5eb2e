"""Which page is on the kiosk's screen: every full page takes the next number, and only the
polls of the newest page may take input (a card tap, a scan)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from flask import Response, current_app, g, request

from kiosk.hardware.base import Scanner

SCAN_SLICE_SECONDS = 0.05  # a poll looks at the scanner this often while it waits
T = TypeVar("T")


class PageNumbers:
    """The kiosk-wide count of pages shown; its lock orders a page's arrival and input taken."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.newest = 0

    def next(self) -> int:
        """The number of a page being rendered now: from now on only its polls take input."""
        with self.lock:
            self.newest += 1
            return self.newest

    def take(self, claimed: str | None, take: Callable[[], T]) -> T | None:
        """What `take` takes, if the poll's page (`claimed`) is the newest; else None and
        nothing taken. A poll naming no page (not from a kiosk page) may take."""
        with self.lock:
            if claimed is not None and claimed != str(self.newest):
                return None
            return take()


def pages() -> PageNumbers:
    """The page numbers of the current kiosk application."""
    numbers: PageNumbers = current_app.extensions["kiosk_pages"]
    return numbers


def is_document() -> bool:
    """Whether the request loads a page on the screen (not a fetch: a poll, the logo image)."""
    return request.headers.get("Sec-Fetch-Dest", "document") == "document"


def page_arrives() -> None:
    """Before a request for a page (a link, a form sent): from now on the page being left takes
    no input, even before the new one is rendered (a card laid as the patron switched language
    belongs to the page that comes)."""
    if polled_page() is None:
        g.page_number = pages().next()


def page_number() -> int:
    """For the page template: this page's number (sent back by its polls); 0 for an error page
    that answers a fetch, which must not take the input from the page on the screen."""
    if "page_number" not in g and is_document():
        g.page_number = pages().next()  # a page refused before it arrived (a stale form)
    return int(g.get("page_number", 0))


def is_shown() -> bool:
    """Whether the poll comes from the newest page (or names none: not from a kiosk page)."""
    claimed = polled_page()
    return claimed is None or claimed == str(pages().newest)


def stay_when_left(response: Response) -> Response:
    """After a request: a poll of a page already left is told to go nowhere. The browser is
    on its way to the newer page; sending it elsewhere (where the session is now) would undo
    that (a login's answer lost to the old page's scan poll)."""
    if is_shown() or not response.is_json:
        return response
    answer = response.get_json()
    if isinstance(answer, dict) and answer.get("go"):
        response.set_data(json.dumps({**answer, "go": None}))
    return response


def polled_page() -> str | None:
    """The page number the poll came from."""
    return request.args.get("page")


def take_if_shown(take: Callable[[], T]) -> T | None:
    """What `take` takes, if the poll comes from the page on screen."""
    return pages().take(polled_page(), take)


def scanner_for_page(scanner: Scanner) -> Callable[[float], str | None]:
    """The scanner's read for this poll: a line only while its page is the newest, so a poll of
    a page already left leaves the scan to the page shown now."""
    numbers, claimed = pages(), polled_page()

    def read(timeout: float) -> str | None:
        """The next line within `timeout` seconds, while the page is on screen."""
        deadline = time.monotonic() + timeout
        while True:
            line = numbers.take(claimed, lambda: scanner.read(0))
            if line is not None or time.monotonic() >= deadline:
                return line
            time.sleep(SCAN_SLICE_SECONDS)

    return read
