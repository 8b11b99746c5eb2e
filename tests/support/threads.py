"""Work started in other threads while the test holds a lock they need."""

import threading
from collections.abc import Callable


def started_waiting(work: Callable[[], None], count: int = 1) -> list[threading.Thread]:
    """Start `count` threads doing `work` and check each still waits after a second (on the lock
    the test holds); the test releases it and joins them."""
    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=1)
        assert thread.is_alive()  # waiting for what the test holds
    return threads
