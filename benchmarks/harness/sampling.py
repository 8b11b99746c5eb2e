"""Measuring two sides side by side: A and B in turns, summarised by median and 95th percentile."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

# One measurement of one side (seconds, or a rate); what it needs is prepared untimed inside it.
Side = Callable[[], float]


@dataclass(frozen=True)
class Budget:
    """How many pairs to take: at least `least`, then more until `seconds` pass or `most`."""

    least: int
    most: int
    seconds: float

    def scaled(self, effort: float) -> "Budget":
        """The budget times `effort`; a quick run still takes two pairs (one where one is
        enough)."""
        least = max(min(self.least, 2), round(self.least * effort))
        return Budget(least, max(least, round(self.most * effort)), self.seconds * effort)


@dataclass(frozen=True)
class Pairs:
    """The measurements of both sides, taken in turns."""

    a: list[float]
    b: list[float]

    @property
    def median_ratio(self) -> float:
        """B's median over A's."""
        return statistics.median(self.b) / statistics.median(self.a)

    @property
    def p95_ratio(self) -> float:
        """B's 95th percentile over A's."""
        return p95(self.b) / p95(self.a)


def interleaved(a: Side, b: Side, budget: Budget) -> Pairs:
    """Measure a and b in turns, A B B A A B ..., so that neither always goes first."""
    pairs = Pairs([], [])
    started = time.monotonic()
    while len(pairs.a) < budget.least or (
        len(pairs.a) < budget.most and time.monotonic() - started < budget.seconds
    ):
        order = ((pairs.a, a), (pairs.b, b))
        for values, side in order if len(pairs.a) % 2 == 0 else reversed(order):
            values.append(side())
    return pairs


def p95(values: list[float]) -> float:
    """The 95th percentile (the largest value of fewer than 20)."""
    if len(values) < 20:
        return max(values)
    return statistics.quantiles(values, n=20)[-1]


def timed(action: Callable[[], object]) -> float:
    """Seconds the action takes."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started
