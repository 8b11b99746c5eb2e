"""How much `make bench` measures: BENCH_PATRONS patrons on the large side, the rest fixed."""

import os
from dataclasses import dataclass

from benchmarks.harness.sampling import Budget

SMALL = 10_000
LARGE = 1_000_000
MEMORY_REQUESTS = 20_000
CLIENTS = 8  # as many as the portal's waitress has threads


@dataclass(frozen=True)
class Scale:
    """Patrons on each side, requests for the memory row, and an effort that multiplies every
    sample budget (a quick check of the harness takes a few samples only)."""

    small: int
    large: int
    memory_requests: int
    effort: float = 1.0

    @classmethod
    def from_environment(cls) -> "Scale":
        """The sizes of `make bench`: BENCH_PATRONS (default 1,000,000) on the large side."""
        return cls(SMALL, int(os.environ.get("BENCH_PATRONS", LARGE)), MEMORY_REQUESTS)

    def budget(self, least: int, most: int, seconds: float) -> Budget:
        """A sample budget at this effort."""
        return Budget(least, most, seconds).scaled(self.effort)
