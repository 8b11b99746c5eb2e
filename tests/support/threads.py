"""Work started in other threads while the test holds a lock they need.

Make the app the threads use before starting them: making one compiles its URL rules with
`ast.parse`, which CPython 3.11 does not make thread-safe (two at once: "SystemError: AST
constructor recursion depth mismatch", seen in CI as a thread that stopped waiting)."""

import threading
import traceback
from collections.abc import Callable


def started_waiting(work: Callable[[], None], count: int = 1) -> list[threading.Thread]:
    """Start `count` threads doing `work` and check each still waits after a second (on the lock
    the test holds); the test releases it and joins them."""
    failures: list[str] = []

    def reporting() -> None:
        """The work, its error kept for the assertion below."""
        try:
            work()
        except BaseException:
            failures.append(traceback.format_exc())
            raise

    threads = [threading.Thread(target=reporting) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=1)
        # A thread that ended this early did not wait: say how it ended.
        assert thread.is_alive(), "\n".join(failures) or "it ended without an error, not waiting"
    return threads
