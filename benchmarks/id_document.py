"""Reading an ID document chip through pcscd and vpcd: connect + BAC + EF.COM + DG1 + EF.SOD."""

import statistics
import time

from kiosk.hardware.emrtd import read_document
from tests.support.pcsc import VPCD_PORTS, running_pcscd, wait_for_card
from tests.support.virtual_emrtd import TD1, TD3, VirtualEmrtd

READER = "Virtual PCD 00 00"
RUNS = 20
TYPED = ("L898902C3", "740812", "120415")  # the specimen's document number, birth and expiry


def _read_once(mrz: str) -> tuple[float, int]:
    """Place the document, read it; seconds for the read (connect included) and its APDUs."""
    card = VirtualEmrtd(mrz, port=VPCD_PORTS[READER]).insert()
    try:
        if not wait_for_card(READER, present=True, timeout=5):
            raise RuntimeError("pcscd did not notice the document")
        started = time.perf_counter()
        read_document(READER, mrz.replace("|", "\n"), timeout=5)
        return time.perf_counter() - started, len(card.commands)
    finally:
        card.remove()
        wait_for_card(READER, present=False, timeout=5)


def _report(label: str, runs: list[tuple[float, int]]) -> None:
    """Median, min and max in milliseconds, and the APDU count."""
    ms = [seconds * 1000 for seconds, _ in runs]
    apdus = sorted({count for _, count in runs})
    print(
        f"  {label}: median {statistics.median(ms):.1f} ms "
        f"(min {min(ms):.1f}, max {max(ms):.1f}), APDUs {apdus}"
    )


def main() -> None:
    """Run the benchmark and print the figures."""
    with running_pcscd():
        passport = [_read_once(TD3) for _ in range(RUNS)]
        id_card = [_read_once(TD1) for _ in range(RUNS)]
    print(f"ID document chip, {RUNS} reads each through pcscd + vpcd (BAC, EF.COM, DG1, EF.SOD):")
    _report("passport (TD3)", passport)
    _report("ID card (TD1)", id_card)


if __name__ == "__main__":
    main()
