"""Slow steps (reading a chip, encoding a card) run in a thread while the page shows progress."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.flows.session import PatronSession

log = logging.getLogger(__name__)


@dataclass
class Job:
    """One background step: its outcome once `done` is set (`error` if it raised)."""

    name: str
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None

    def _run(self, work: Callable[[], Any]) -> None:
        """Run the work and keep what came of it."""
        try:
            self.result = work()
        except Exception as error:  # noqa: BLE001 - the page shows what went wrong
            log.info("kiosk job %s failed: %s", self.name, type(error).__name__)
            self.error = error
        finally:
            self.done.set()


def start_job(session: PatronSession, name: str, work: Callable[[], Any]) -> Job:
    """Run `work` in a daemon thread, kept on the session under `name` (replacing an old one)."""
    job = Job(name)
    session.data[f"job:{name}"] = job
    threading.Thread(target=job._run, args=(work,), name=f"kiosk-{name}", daemon=True).start()
    return job


def current_job(session: PatronSession, name: str) -> Job | None:
    """The session's job of that name, if one was started."""
    return session.data.get(f"job:{name}")
