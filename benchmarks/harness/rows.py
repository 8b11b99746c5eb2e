"""The rows of the issue's table, in its order, with their goals."""

import statistics

from benchmarks.harness.sampling import Pairs
from benchmarks.harness.table import Figure, Goal, at_least, at_most, under_seconds

CARD_LOOKUP = "login by card number, large vs small (lookup p50)"
EMAIL_LOOKUP = "login by e-mail, large vs small (lookup p50)"
EMAIL_LOGIN = "full `POST /inloggen` by e-mail, large vs small"
LINKED_PATRON = "the patron of a login (`linked_patron`), large vs small"
PURGE = "`accounts purge` at large (and vs small)"
RECONCILE = "`payments reconcile`, large vs small"
JOIN_PAGE = "GET `/word-lid` p50 vs a bare Flask page of the same bytes"
LOGIN_PAGE = "GET `/inloggen` p50 vs bare"
TOKEN_EXCHANGE = "OIDC token exchange throughput vs a minimal Authlib provider (8 clients)"
LOGIN_VS_ARGON2 = "`POST /inloggen` vs one argon2id verify"
MEMORY = "portal RSS after the requests vs after warm-up"

GOALS: dict[str, Goal] = {
    CARD_LOOKUP: at_most(1.5),
    EMAIL_LOOKUP: at_most(1.5),
    EMAIL_LOGIN: at_most(1.5),
    LINKED_PATRON: at_most(1.5),
    PURGE: under_seconds(10),
    RECONCILE: at_most(1.5),
    JOIN_PAGE: at_most(2),
    LOGIN_PAGE: at_most(2),
    TOKEN_EXCHANGE: at_least(0.7),
    LOGIN_VS_ARGON2: at_most(1.15),
    MEMORY: at_most(1.1),
}
ORDER = list(GOALS)


def figure(row: str, value: float, shown: str) -> Figure:
    """A row's figure with its goal."""
    return Figure(row, GOALS[row], value, shown)


def ratio(row: str, pairs: Pairs, extra: str = "") -> Figure:
    """B over A: the ratio of the medians, that of the 95th percentiles beside it."""
    shown = f"{pairs.median_ratio:.2f}× (p95 {pairs.p95_ratio:.2f}×{extra})"
    return figure(row, pairs.median_ratio, shown)


def throughput(row: str, pairs: Pairs) -> Figure:
    """B's rate over A's (the medians of rounds taken in turns), both rates beside it."""
    rates = f"{statistics.median(pairs.b):.0f} vs {statistics.median(pairs.a):.0f} per s"
    return figure(row, pairs.median_ratio, f"{pairs.median_ratio:.2f}× ({rates})")
