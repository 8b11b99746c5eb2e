"""Start-up of the hardware CLI: `python -m kiosk.hardware --help`, wall time and imports."""

import re
import statistics
import subprocess
import sys
import time

RUNS = 10
COMMAND = [sys.executable, "-m", "kiosk.hardware", "--help"]
# -X importtime's lines: "import time: <self us> | <cumulative us> | <name>"; a name indented by
# one space only is a top-level import, and their cumulative times add up to the whole.
TOP_LEVEL = re.compile(r"^import time:\s+\d+ \|\s+(\d+) \| (?! )", re.MULTILINE)


def _wall_seconds() -> float:
    """Seconds one run of the command takes, interpreter start included."""
    started = time.perf_counter()
    subprocess.run(COMMAND, capture_output=True, check=True)
    return time.perf_counter() - started


def _import_seconds() -> float:
    """Seconds one run spends importing modules, as -X importtime reports them."""
    command = [COMMAND[0], "-X", "importtime", *COMMAND[1:]]
    report = subprocess.run(command, capture_output=True, text=True, check=True).stderr
    return sum(int(micros) for micros in TOP_LEVEL.findall(report)) / 1e6


def _median_ms(samples: list[float]) -> str:
    """Median, min and max in milliseconds."""
    ms = [sample * 1000 for sample in samples]
    return f"median {statistics.median(ms):.1f} ms (min {min(ms):.1f}, max {max(ms):.1f})"


def main() -> None:
    """Run the command RUNS times each way and print the figures."""
    walls = [_wall_seconds() for _ in range(RUNS)]
    imports = [_import_seconds() for _ in range(RUNS)]
    print(f"hardware CLI start-up, {RUNS} runs of `python -m kiosk.hardware --help`:")
    print(f"  wall time: {_median_ms(walls)}")
    print(f"  imports (-X importtime): {_median_ms(imports)}")


if __name__ == "__main__":
    main()
