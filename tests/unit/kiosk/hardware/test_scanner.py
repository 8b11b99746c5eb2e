"""Keyboard-wedge scanner lines: stripped payloads, blank lines skipped, a timeout when silent."""

import io
import os
import time

import pytest

from kiosk.hardware import config
from kiosk.hardware.scanner import LineScanner
from kiosk.hardware.simulated import SimulatedScanner


def test_lines_from_a_stream_are_stripped_and_blank_ones_skipped() -> None:
    scanner = LineScanner(io.StringIO("\n  https://example.org/q?t=abc \r\n\n2100012345678\n"))
    assert scanner.read(timeout=1) == "https://example.org/q?t=abc"
    assert scanner.read(timeout=1) == "2100012345678"
    assert scanner.read(timeout=0.05) is None


def test_a_silent_scanner_times_out_and_later_lines_arrive() -> None:
    reading, writing = os.pipe()
    with os.fdopen(reading) as stream, os.fdopen(writing, "w") as typing:
        scanner = LineScanner(stream)
        started = time.monotonic()
        assert scanner.read(timeout=0.1) is None
        assert time.monotonic() - started >= 0.1
        typing.write("P<NLDDE<BRUIJN<<WILLEKE<LISELOTTE\n")
        typing.flush()
        assert scanner.read(timeout=2) == "P<NLDDE<BRUIJN<<WILLEKE<LISELOTTE"


def test_simulated_scanner_hands_out_typed_lines() -> None:
    scanner = SimulatedScanner()
    scanner.type_line(" 2100012345678\n")
    assert scanner.read(timeout=0) == "2100012345678"
    assert scanner.read(timeout=0) is None


def test_registry_picks_the_scanner() -> None:
    assert isinstance(config.scanner({}), SimulatedScanner)
    with pytest.raises(ValueError, match="KIOSK_SCANNER"):
        config.scanner({"KIOSK_SCANNER": "evdev"})
