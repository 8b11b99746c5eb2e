"""The table of issue 13: the portal with a million patrons (BENCH_PATRONS) against ten thousand,
and against its floors (a bare page, one argon2id verify, a minimal Authlib provider), each row
measured side by side, on SQLite and on PostgreSQL."""

import tempfile
import time
from pathlib import Path

from benchmarks.harness.run import BACKENDS, measure
from benchmarks.harness.settings import Scale
from benchmarks.harness.table import render


def main() -> None:
    """Measure every row on each database and print the table."""
    scale = Scale.from_environment()
    started = time.monotonic()
    print(f"portal at scale: large = {scale.large:,} patrons, small = {scale.small:,}", flush=True)
    columns = {}
    for backend in BACKENDS:
        with tempfile.TemporaryDirectory(prefix="openbalie-bench-") as folder:
            columns[backend] = measure(backend, scale, Path(folder))
    print(render(columns))
    print(f"measured in {(time.monotonic() - started) / 60:.1f} min")


if __name__ == "__main__":
    main()
