"""Waiting for a call with a deadline, with real threads standing in for a blocked pcscd call."""

import threading
import time

import pytest

from kiosk.hardware.deadline import Deadline, DeadlineExceeded

WAIT = 5  # seconds a test waits for something that happens at once when the code is right


def blocked_until(event: threading.Event) -> str:
    """A call that returns only once the event is set, like a transmit to a silent card."""
    if not event.wait(WAIT):
        raise RuntimeError("never released")
    return "late answer"


def test_returns_the_result() -> None:
    assert Deadline(1).call(lambda: 42) == 42


def test_raises_the_calls_exception() -> None:
    def refuse() -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        Deadline(1).call(refuse)


def test_gives_up_at_the_deadline() -> None:
    released = threading.Event()
    started = time.monotonic()
    try:
        with pytest.raises(DeadlineExceeded, match="within 0.2 s"):
            Deadline(0.2).call(lambda: blocked_until(released))
    finally:
        released.set()
    assert 0.2 <= time.monotonic() - started < 1


def test_cleans_up_at_once_when_nothing_hung() -> None:
    cleaned: list[str] = []
    deadline = Deadline(1)
    deadline.call(lambda: None)
    deadline.when_free(lambda: cleaned.append(threading.current_thread().name))
    assert cleaned == [threading.current_thread().name]


def test_cleans_up_in_the_background_once_the_hung_call_returns() -> None:
    released, cleaned = threading.Event(), threading.Event()
    deadline = Deadline(0.1)
    with pytest.raises(DeadlineExceeded):
        deadline.call(lambda: blocked_until(released))
    deadline.when_free(cleaned.set)
    assert not cleaned.wait(0.2), "cleaned up while the call still blocked"
    released.set()
    assert cleaned.wait(WAIT)
