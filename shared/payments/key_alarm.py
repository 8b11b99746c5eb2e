"""The alarm for an API key the payment provider refuses (401), shared by every process through
the database: raised and logged once, payments refused at once while it holds (no call, no retry
loop), and the key tried again once every PROBE_EVERY (by one call per process) to learn whether
it works again (a key switched on again in the dashboard), which clears it. A new key has its
own fingerprint, so fixing `MOLLIE_API_KEY` and restarting ends the alarm too."""

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, Update, delete, event, select, update
from sqlalchemy.orm import Session, SessionTransaction

from shared.db import insert_or_ignore, rows_changed
from shared.models.provider_alarm import ProviderAlarm
from shared.payments.provider import ProviderUnauthorized

log = logging.getLogger(__name__)
PROBE_EVERY = timedelta(minutes=15)
PROBE_SECONDS = 60.0  # a try of the key in this process that long ago has surely ended
DETAIL_LENGTH = 300
PENDING = "key_alarm_pending"  # in a caller's Session.info: alarm writes waiting for its end
Work = Callable[[], None]


def key_fingerprint(api_key: str) -> str:
    """What the alarm keeps of a key: never the key."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


class KeyAlarm:
    """The alarm of one API key, each write its own short transaction on its own connection,
    made once the caller's transaction has ended (on SQLite the caller may hold the only write
    lock, and it rolls back right after the refusal)."""

    _trying: dict[str, float] = {}  # per process: key fingerprint -> when its try began
    _trying_lock = threading.Lock()

    def __init__(
        self,
        engine: Engine,
        api_key: str,
        now: Callable[[], datetime],
        caller: Session | None = None,
    ) -> None:
        self._engine = engine
        self._fingerprint = key_fingerprint(api_key)
        self._now = now
        self._caller = caller

    def holds(self) -> bool:
        """Whether the alarm is raised and no try of the key is due yet."""
        tried = self._last_tried()
        return tried is not None and self._now() - tried < PROBE_EVERY

    def check(self) -> bool:
        """Refuse while the alarm holds; True when this call is the try of the key that is due
        (one per process at a time: the others are refused until it has an outcome)."""
        tried = self._last_tried()
        if tried is None:
            return False
        if self._now() - tried < PROBE_EVERY or not self._take_the_try():
            raise ProviderUnauthorized("the API key was refused; payments are stopped")
        return True

    def raise_alarm(self, detail: str) -> None:
        """Keep that the key was refused (again): the try, if this was one, has its outcome."""
        self._after_caller(lambda: self._keep(detail))

    def clear(self) -> None:
        """The key works again: payments resume."""
        self._after_caller(self._forget)

    def tried_without_answer(self) -> None:
        """The try of the key got no answer (an outage): try again after PROBE_EVERY."""
        self._after_caller(self._note_try)

    def _take_the_try(self) -> bool:
        """Whether this process may try the key now (no try of it still under way here)."""
        with self._trying_lock:
            began = self._trying.get(self._fingerprint)
            if began is not None and time.monotonic() - began < PROBE_SECONDS:
                return False
            self._trying[self._fingerprint] = time.monotonic()
            return True

    def _try_ended(self) -> None:
        """This process's try of the key has its outcome."""
        with self._trying_lock:
            self._trying.pop(self._fingerprint, None)

    def _last_tried(self) -> datetime | None:
        """When the key was last tried, if its alarm is raised."""
        with Session(self._engine) as session:
            return session.scalar(select(ProviderAlarm.last_tried_at).where(self._this_key()))

    def _after_caller(self, work: Work) -> None:
        """Do the work now, or once the caller's outermost transaction has ended."""
        caller = self._caller
        if caller is None or not caller.in_transaction():
            _done(work)
            return
        caller.info.setdefault(PENDING, []).append(work)
        if not event.contains(caller, "after_transaction_end", _run_pending):
            event.listen(caller, "after_transaction_end", _run_pending)

    def _keep(self, detail: str) -> None:
        """Raise the alarm, or note the failed try; logged when this raised it (once for all
        processes)."""
        now = self._now()
        values = {"raised_at": now, "last_tried_at": now, "detail": detail[:DETAIL_LENGTH]}
        with Session(self._engine) as session, session.begin():
            raised = insert_or_ignore(
                session, ProviderAlarm, {"key_fingerprint": self._fingerprint, **values}
            )
            if not raised:
                session.execute(self._tried_now(now))
        self._try_ended()
        if raised:
            log.critical(
                "Mollie refuses the API key (%s): payments are stopped until MOLLIE_API_KEY is"
                " fixed: %s",
                self._fingerprint,
                detail,
            )

    def _note_try(self) -> None:
        """Keep when the key was last tried."""
        with Session(self._engine) as session, session.begin():
            session.execute(self._tried_now(self._now()))
        self._try_ended()

    def _forget(self) -> None:
        """Take the alarm down; logged when this did."""
        with Session(self._engine) as session, session.begin():
            forgotten = rows_changed(session, delete(ProviderAlarm).where(self._this_key()))
        self._try_ended()
        if forgotten:
            log.warning("Mollie accepts the API key again (%s): payments resume", self._fingerprint)

    def _tried_now(self, now: datetime) -> Update:
        """The update that keeps `now` as the key's last try."""
        return update(ProviderAlarm).where(self._this_key()).values(last_tried_at=now)

    def _this_key(self) -> ColumnElement[bool]:
        """The alarm row of this key."""
        return ProviderAlarm.key_fingerprint == self._fingerprint


def _run_pending(session: Session, transaction: SessionTransaction) -> None:
    """The caller's outermost transaction ended (its locks are gone): the alarm writes it
    waited for."""
    if transaction.parent is not None:
        return
    pending: list[Work] = session.info.pop(PENDING, [])
    for work in pending:
        _done(work)


def _done(work: Work) -> None:
    """Do an alarm write; a failure is logged, never the caller's (the next refusal writes it
    again)."""
    try:
        work()
    except Exception:
        log.exception("the alarm of the refused Mollie key could not be written")


def raised_alarm(session: Session, api_key: str) -> ProviderAlarm | None:
    """The alarm of this key, if it is raised (for the staff page)."""
    return session.get(ProviderAlarm, key_fingerprint(api_key))
