"""Pages against their floor: the portal's GET /word-lid and /inloggen against a bare Flask app
that answers with the same bytes, on the same server (waitress, 8 threads)."""

from pathlib import Path

from benchmarks.harness.rows import JOIN_PAGE, LOGIN_PAGE, ratio
from benchmarks.harness.sampling import Side, interleaved, timed
from benchmarks.harness.servers import Server, running_bare_page
from benchmarks.harness.settings import Scale
from benchmarks.harness.table import Figure
from benchmarks.harness.web import Connection, requests_per_second

PAGES = {JOIN_PAGE: "/word-lid", LOGIN_PAGE: "/inloggen"}
ROUND_SECONDS = 3  # of each side's throughput, in turns


def page_figures(portal: Server, folder: Path, scale: Scale) -> list[Figure]:
    """p50 (and p95) of one visitor's GET against the bare page's; for /word-lid also the
    requests per second CLIENTS visitors get against the bare page's."""
    stored = folder / "pages"
    stored.mkdir()
    with Connection(portal.url) as connection:
        for path in PAGES.values():
            (stored / path.lstrip("/")).write_bytes(connection.get(path))
    with (
        running_bare_page(stored, folder) as bare,
        Connection(bare.url) as to_bare,
        Connection(portal.url) as to_portal,
    ):
        budget = scale.budget(least=100, most=3000, seconds=15)
        latency = {
            row: interleaved(_get(to_bare, path), _get(to_portal, path), budget)
            for row, path in PAGES.items()
        }
        rates = interleaved(
            _rate(bare, PAGES[JOIN_PAGE], scale),
            _rate(portal, PAGES[JOIN_PAGE], scale),
            scale.budget(least=3, most=5, seconds=6 * ROUND_SECONDS),
        )
    throughput = f"; throughput {rates.median_ratio:.2f}×"
    return [
        ratio(JOIN_PAGE, latency[JOIN_PAGE], throughput),
        ratio(LOGIN_PAGE, latency[LOGIN_PAGE]),
    ]


def _get(connection: Connection, path: str) -> Side:
    """Seconds one GET of the page takes, on a connection kept alive."""
    return lambda: timed(lambda: connection.get(path))


def _rate(server: Server, path: str, scale: Scale) -> Side:
    """Requests per second for the page with CLIENTS clients (one round)."""
    return lambda: requests_per_second(
        server.url, lambda connection: connection.get(path), ROUND_SECONDS * scale.effort
    )
