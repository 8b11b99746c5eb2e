"""Time from a library card placed on the reader to its UID known, through pcscd and vpcd."""

import statistics
import time

from kiosk.hardware.library_card import BASIC_BLOCKS
from kiosk.hardware.pcsc import PcscCardReader
from tests.support.pcsc import VPCD_PORTS, running_pcscd, wait_for_card
from tests.support.virtual_library_card import VirtualLibraryCard

READER = "Virtual PCD 00 01"
RUNS = 20


def _placed_to_uid(reader: PcscCardReader, card: VirtualLibraryCard) -> tuple[float, float, int]:
    """Place the card; seconds to the UID, seconds from pcscd's card event to the UID, APDUs."""
    card.apdus.clear()
    started = time.perf_counter()
    card.insert(VPCD_PORTS[READER])
    if not wait_for_card(READER, present=True, timeout=5):
        raise RuntimeError("pcscd did not notice the card")
    noticed = time.perf_counter()
    with reader.connect(READER, timeout=5) as session:
        session.uid()
        done = time.perf_counter()
        session.read_blocks(0, BASIC_BLOCKS)
    card.remove()
    if not wait_for_card(READER, present=False, timeout=5):
        raise RuntimeError("pcscd did not notice the card leave")
    return done - started, done - noticed, len(card.apdus)


def _summary(label: str, seconds: list[float]) -> str:
    """Median, min and max in milliseconds."""
    ms = [value * 1000 for value in seconds]
    median = statistics.median(ms)
    return f"  {label}: median {median:.1f} ms (min {min(ms):.1f}, max {max(ms):.1f})"


def main() -> None:
    """Run the benchmark and print the figures."""
    with running_pcscd():
        reader, card = PcscCardReader(), VirtualLibraryCard()
        runs = [_placed_to_uid(reader, card) for _ in range(RUNS)]
    print(f"library card, {RUNS} runs through pcscd + vpcd:")
    print(_summary("placed -> UID known", [total for total, _, _ in runs]))
    print(_summary("pcscd reports the card -> UID known", [after for _, after, _ in runs]))
    print(f"  APDUs: 1 for the UID, {runs[0][2]} for UID + the 32-byte basic block")


if __name__ == "__main__":
    main()
