"""Calls that may block for ever (a card silent inside pcscd), waited for with a deadline."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


class DeadlineExceeded(TimeoutError):
    """The call did not return in time; it goes on blocking in its daemon thread."""


@dataclass(frozen=True)
class _Raised:
    """What the worker posts when the call raised."""

    error: Exception


class Deadline:
    """Runs calls in daemon threads and waits at most `seconds` for each; remembers a hung one."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._hung: threading.Thread | None = None

    def call(self, function: Callable[[], T]) -> T:
        """The function's result or exception; DeadlineExceeded when it takes too long."""
        box: queue.Queue[T | _Raised] = queue.Queue(1)
        # A daemon thread: a call blocked for ever must not keep the process from exiting.
        worker = threading.Thread(target=_run, args=(function, box), daemon=True)
        worker.start()
        try:
            outcome = box.get(timeout=self.seconds)
        except queue.Empty:
            self._hung = worker
            raise DeadlineExceeded(f"no answer within {self.seconds:g} s") from None
        if isinstance(outcome, _Raised):
            raise outcome.error
        return outcome

    def when_free(self, cleanup: Callable[[], None]) -> None:
        """Run cleanup now or, after a hung call, in a daemon thread once that call returns."""
        if self._hung is None:
            cleanup()
        else:
            threading.Thread(target=_after, args=(self._hung, cleanup), daemon=True).start()


def _run(function: Callable[[], T], box: queue.Queue[T | _Raised]) -> None:
    """Post the function's result, or the exception it raised."""
    try:
        box.put(function())
    except Exception as error:
        box.put(_Raised(error))


def _after(hung: threading.Thread, cleanup: Callable[[], None]) -> None:
    """Wait for the hung call to come back, then clean up."""
    hung.join()
    cleanup()
