"""HTTP as the load generator speaks it: kept-alive connections, a login, many clients at once."""

import http.client
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar
from urllib.parse import urlencode, urlsplit

import requests

from benchmarks.harness.settings import CLIENTS
from tests.support.signup import csrf_token_in

TIMEOUT = 60
# One browser for the portal's strong session protection, whichever client sends its cookie.
USER_AGENT = "OpenBalie benchmark"
T = TypeVar("T")


class Connection:
    """One kept-alive connection to a server; every request a visitor without cookies unless
    the caller sends some."""

    def __init__(self, base_url: str) -> None:
        self._connection = http.client.HTTPConnection(urlsplit(base_url).netloc, timeout=TIMEOUT)

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, cookie: str = ""
    ) -> tuple[int, bytes]:
        """Send one request; the answer's status and body."""
        headers = {"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {})}
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self._connection.request(method, path, body, headers)
        response = self._connection.getresponse()
        return response.status, response.read()

    def get(self, path: str, cookie: str = "") -> bytes:
        """The body of a GET that must answer 200."""
        status, body = self.request("GET", path, cookie=cookie)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        return body

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *_exception: object) -> None:
        self.close()


def new_browser() -> requests.Session:
    """A browser without cookies."""
    browser = requests.Session()
    browser.headers["User-Agent"] = USER_AGENT
    return browser


def seconds_to_log_in(browser: requests.Session, base_url: str, login: str, password: str) -> float:
    """Seconds the POST /inloggen takes (the form is fetched first, untimed); it must succeed."""
    token = csrf_token_in(browser.get(f"{base_url}/inloggen", timeout=TIMEOUT).text)
    form = {"login": login, "password": password, "csrf_token": token}
    started = time.perf_counter()
    answer = browser.post(f"{base_url}/inloggen", data=form, allow_redirects=False, timeout=TIMEOUT)
    seconds = time.perf_counter() - started
    if answer.status_code != 303:
        raise RuntimeError(f"login {login} at {base_url}: {answer.status_code}")
    return seconds


def cookie_of(browser: requests.Session) -> str:
    """The browser's cookies as one Cookie header."""
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def requests_per_second(
    base_url: str, request: Callable[[Connection], object], seconds: float
) -> float:
    """How many requests CLIENTS clients, each on its own connection, get answered per second
    when each sends the next as soon as it has its answer, for `seconds`."""
    deadline = time.monotonic() + seconds
    counts = [0] * CLIENTS

    def client(index: int) -> None:
        with Connection(base_url) as connection:
            while time.monotonic() < deadline:
                request(connection)
                counts[index] += 1

    started = time.monotonic()
    on_every_client(client)
    return sum(counts) / (time.monotonic() - started)


def jobs_per_second(base_url: str, jobs: list[Callable[[Connection], object]]) -> float:
    """How many jobs per second CLIENTS clients, each on its own connection, finish when they
    share out the jobs between them."""
    queue = iter(jobs)
    lock = threading.Lock()

    def client(_index: int) -> None:
        with Connection(base_url) as connection:
            while (job := _next(queue, lock)) is not None:
                job(connection)

    started = time.monotonic()
    on_every_client(client)
    return len(jobs) / (time.monotonic() - started)


def _next(
    queue: Iterator[Callable[[Connection], object]], lock: threading.Lock
) -> Callable[[Connection], object] | None:
    """The next job, or None when all are taken (one client at a time)."""
    with lock:
        return next(queue, None)


def on_every_client(work: Callable[[int], T]) -> list[T]:
    """Run the work on CLIENTS threads at once (each gets its number); their results."""
    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(work, range(CLIENTS)))
