"""`python -m kiosk.hardware` as outside checks run it, against pcscd and a virtual card."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.pcsc import LIBRARY_CARD_READER
from tests.support.printer import printed_barcodes
from tests.support.virtual_library_card import DEFAULT_UID, VirtualLibraryCard

READER = LIBRARY_CARD_READER
ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the hardware CLI with extra environment variables."""
    return subprocess.run(
        [sys.executable, "-m", "kiosk.hardware", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_readers_lists_one_name_per_line(pcscd: tuple[str, ...]) -> None:
    result = cli("readers")
    assert result.returncode == 0
    assert set(pcscd) <= set(result.stdout.splitlines())


def test_readers_without_pcscd_fails_with_one_line() -> None:
    result = cli("readers", PCSCLITE_CSOCK_NAME="/nonexistent/pcscd.comm")
    assert result.returncode == 1
    assert result.stderr.startswith("error: card reader service unavailable")
    assert len(result.stderr.splitlines()) == 1


def test_card_write_then_read(virtual_card: VirtualLibraryCard) -> None:
    written = cli(
        "card", "write", "--reader", READER, "--card-number", "2100012345678", "--isil", "NL-AsdOBA"
    )
    assert written.returncode == 0, written.stderr
    read = cli("card", "read", "--reader", READER, "--timeout", "5")
    assert read.returncode == 0, read.stderr
    expected = {"uid": DEFAULT_UID.hex().upper(), "card_number": "2100012345678"}
    assert json.loads(read.stdout) == {**expected, "isil": "NL-AsdOBA", "valid": True}
    assert json.loads(written.stdout) == json.loads(read.stdout)


def test_card_read_of_a_blank_card_says_not_valid(virtual_card: VirtualLibraryCard) -> None:
    result = cli("card", "read", "--reader", READER)
    assert json.loads(result.stdout)["valid"] is False


def test_card_write_refuses_a_bad_isil(virtual_card: VirtualLibraryCard) -> None:
    result = cli("card", "write", "--reader", READER, "--card-number", "1", "--isil", "AsdOBA")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ISIL must look like")
    assert virtual_card.apdus == []


def test_card_read_without_a_card_times_out(pcscd: tuple[str, ...]) -> None:
    result = cli("card", "read", "--reader", READER, "--timeout", "0.2")
    assert (result.returncode, result.stderr) == (1, f"error: no card on {READER!r} within 0.2 s\n")


def test_id_read_never_shows_the_document_number(pcscd: tuple[str, ...]) -> None:
    result = cli(
        "id", "read", "--reader", READER, "--document-number", "SPECI2014",
        "--birth-date", "650310", "--expiry-date", "240309", "--timeout", "0.2",
    )  # fmt: skip
    assert result.returncode != 0
    assert len(result.stderr.splitlines()) == 1
    assert "SPECI2014" not in result.stdout + result.stderr


def test_print_test_writes_escpos_to_a_file(tmp_path: Path) -> None:
    output = tmp_path / "receipt.bin"
    result = cli("print", "test", KIOSK_PRINTER=f"file:{output}")
    assert result.stdout == "printed a test receipt; printer status: unknown\n"
    printed = output.read_bytes()
    assert printed.startswith(b"\x1b@")
    assert printed_barcodes(printed) == ["1234567890"]
