"""The alarm for an API key the payment provider refuses (401), shared by every process through
the database: raised and logged once, payments refused at once while it holds (no call, no retry
loop), and calls let through once every PROBE_EVERY to learn whether the key works again (a key
switched on again in the dashboard), which clears it. A new key has its own fingerprint, so
fixing `MOLLIE_API_KEY` and restarting ends the alarm too."""

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, delete, event, select, update
from sqlalchemy.orm import Session, SessionTransaction

from shared.db import insert_or_ignore, rows_changed
from shared.models.provider_alarm import ProviderAlarm
from shared.payments.provider import ProviderUnauthorized

log = logging.getLogger(__name__)
PROBE_EVERY = timedelta(minutes=15)
DETAIL_LENGTH = 300


def key_fingerprint(api_key: str) -> str:
    """What the alarm keeps of a key: never the key."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


class KeyAlarm:
    """The alarm of one API key. Each step is its own short transaction on its own connection:
    the caller's work is rolled back after a refusal, the alarm must stay. The caller's session,
    when given, is waited for before the alarm is written: on SQLite its transaction may hold the
    only write lock, and it ends (rolled back) right after the refusal."""

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
        """Refuse while the alarm holds; True when a try of the key is due (its outcome is
        written when the caller's transaction has ended: callers in that moment try too)."""
        tried = self._last_tried()
        if tried is None:
            return False
        if self._now() - tried < PROBE_EVERY:
            raise ProviderUnauthorized("the API key was refused; payments are stopped")
        return True

    def raise_alarm(self, detail: str) -> None:
        """Keep that the key was refused (again)."""
        self._after_caller(lambda: self._keep(detail))

    def clear(self) -> None:
        """The key works again: payments resume."""
        self._after_caller(self._forget)

    def _last_tried(self) -> datetime | None:
        """When the key was last tried, if its alarm is raised."""
        with Session(self._engine) as session:
            return session.scalar(select(ProviderAlarm.last_tried_at).where(self._this_key()))

    def _after_caller(self, work: Callable[[], None]) -> None:
        """Do the work now, or once the caller's outermost transaction has ended."""
        caller = self._caller
        if caller is None or not caller.in_transaction():
            work()
            return
        done: list[bool] = []  # the listener stays with the session (one per request) and acts once

        def ended(_session: Session, transaction: SessionTransaction) -> None:
            """The caller's transaction ended: its locks are gone."""
            if transaction.parent is None and not done:
                done.append(True)
                work()

        event.listen(caller, "after_transaction_end", ended)

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
                tried = update(ProviderAlarm).where(self._this_key()).values(last_tried_at=now)
                session.execute(tried)
        if raised:
            log.critical(
                "Mollie refuses the API key (%s): payments are stopped until MOLLIE_API_KEY is"
                " fixed: %s",
                self._fingerprint,
                detail,
            )

    def _forget(self) -> None:
        """Take the alarm down; logged when this did."""
        with Session(self._engine) as session, session.begin():
            forgotten = rows_changed(session, delete(ProviderAlarm).where(self._this_key()))
        if forgotten:
            log.warning("Mollie accepts the API key again (%s): payments resume", self._fingerprint)

    def _this_key(self) -> ColumnElement[bool]:
        """The alarm row of this key."""
        return ProviderAlarm.key_fingerprint == self._fingerprint


def raised_alarm(session: Session, api_key: str) -> ProviderAlarm | None:
    """The alarm of this key, if it is raised (for the staff page)."""
    return session.get(ProviderAlarm, key_fingerprint(api_key))
