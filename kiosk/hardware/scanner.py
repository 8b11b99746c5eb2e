"""Keyboard-wedge scanners: lines typed by a QR/barcode or MRZ scanner, read with a timeout."""

from __future__ import annotations

import queue
import threading
from typing import TextIO


class QueueScanner:
    """Scanned lines waiting in a queue, handed out stripped and non-empty."""

    def __init__(self) -> None:
        self._lines: queue.Queue[str] = queue.Queue()

    def read(self, timeout: float) -> str | None:
        """The next non-empty payload, or None when none arrives within `timeout` seconds."""
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def _put(self, line: str) -> None:
        """Queue one typed line, stripped of whitespace and the scanner's CR/LF suffix."""
        if payload := line.strip():
            self._lines.put(payload)


class LineScanner(QueueScanner):
    """A scanner typing into a text stream (stdin, a tty, a pipe), read by a background thread."""

    def __init__(self, stream: TextIO):
        super().__init__()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: TextIO) -> None:
        """Move lines from the stream into the queue until it ends."""
        for line in stream:
            self._put(line)
