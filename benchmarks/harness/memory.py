"""The portal's memory under load: its resident set after warming up, and after many more
requests of the same mix (pages, a logged-in account page, discovery, now and then a login)."""

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

from benchmarks.harness.databases import PASSWORD
from benchmarks.harness.members import Member
from benchmarks.harness.rows import MEMORY, figure
from benchmarks.harness.servers import Server
from benchmarks.harness.settings import Scale
from benchmarks.harness.table import Figure
from benchmarks.harness.web import (
    Connection,
    cookie_of,
    jobs_per_second,
    new_browser,
    seconds_to_log_in,
)

WARM_UP = 1000
LOGIN_ONE_IN = 100
PAGES = ("/", "/word-lid", "/inloggen", "/.well-known/openid-configuration")
Job = Callable[[Connection], object]


def memory_figure(portal: Server, members: list[Member], scale: Scale) -> Figure:
    """RSS after scale.memory_requests requests over RSS after a warm-up of the same mix (the
    portal served the other rows before)."""
    with new_browser() as browser:
        seconds_to_log_in(browser, portal.url, members[0].email, PASSWORD)
        cookie = cookie_of(browser)
    mix = _mix(portal.url, cookie, members)
    jobs_per_second(portal.url, list(itertools.islice(mix, max(50, round(WARM_UP * scale.effort)))))
    before = _resident_bytes(portal.pid)
    jobs_per_second(portal.url, list(itertools.islice(mix, scale.memory_requests)))
    after = _resident_bytes(portal.pid)
    shown = (
        f"{after / before:.2f}× ({before / 1e6:.0f} → {after / 1e6:.0f} MB"
        f" after {scale.memory_requests:,} requests)"
    )
    return figure(MEMORY, after / before, shown)


def _mix(base_url: str, cookie: str, members: list[Member]) -> Iterator[Job]:
    """The requests in turn: the pages as a new visitor, the account page logged in, and every
    LOGIN_ONE_IN-th a login (argon2id takes much memory for a moment)."""
    logins = itertools.cycle(members)
    jobs: list[Job] = [
        *(_page(path) for path in PAGES),
        lambda connection: connection.get("/mijn-account", cookie),
    ]
    turn = [jobs[index % len(jobs)] for index in range(LOGIN_ONE_IN - 1)]
    return itertools.cycle([*turn, lambda _connection: _log_in(base_url, next(logins))])


def _page(path: str) -> Job:
    """GET the page."""
    return lambda connection: connection.get(path)


def _log_in(base_url: str, member: Member) -> None:
    """Log the member in, as a new visitor."""
    with new_browser() as browser:
        seconds_to_log_in(browser, base_url, member.email, PASSWORD)


def _resident_bytes(pid: int) -> int:
    """The process's resident set size."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")
