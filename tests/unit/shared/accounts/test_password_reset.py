"""Forgotten passwords and new confirmation links: a known login and an unknown one are answered
in the same time."""

import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.accounts.confirmation_request import request_confirmation
from shared.accounts.password_reset import request_reset
from shared.clock import ManualClock
from shared.mail.settings import MailSettings
from shared.models.mail import OutboxMail
from tests.support.factories import create_account, create_patron

MAIL = MailSettings("secret", "bibliotheek@example.nl", *[lambda token: token] * 5)
TRIES = 15
# Each known try is paired with the unknown one right after it, and the median of the pairs'
# ratios must lie within half either way. Without the same work on both paths a known login
# took two to three times as long (its outbox row was committed, the unknown path wrote
# nothing), so the bound catches that. A commit's disk flush takes either a few milliseconds or
# two to three times that when the other tests on this 2-core machine flush too: a median of
# each side alone jumps between those two when about half the tries are slow, while a pair runs
# within milliseconds under the same load, and the median of 15 pairs stays near the true ratio.
LOWEST, HIGHEST = 0.67, 1.5


Request = Callable[[Session, str, MailSettings, datetime], None]


def timed_request(session: Session, request: Request, login: str, clock: ManualClock) -> float:
    """Seconds for one request, committed as the view commits it; a new quarter of an hour
    each time, so a known login's mail is written every time (not deduplicated)."""
    clock.advance(timedelta(minutes=15))
    start = time.perf_counter()
    request(session, login, MAIL, clock.now())
    session.commit()
    return time.perf_counter() - start


@pytest.mark.parametrize("request_mail", [request_reset, request_confirmation])
def test_a_known_login_takes_as_long_as_an_unknown_one(
    db_session: Session, clock: ManualClock, request_mail: Request
) -> None:
    # Unconfirmed, with a membership: the login a new confirmation link is mailed to, too.
    account = create_account(db_session, clock.now())
    create_patron(db_session, account, clock.now())
    db_session.commit()
    for login in (account.username, "nobody-by-that-name"):  # warm the templates' caches
        timed_request(db_session, request_mail, login, clock)
    ratios = []
    for _ in range(TRIES):
        known = timed_request(db_session, request_mail, account.username, clock)
        unknown = timed_request(db_session, request_mail, "nobody-by-that-name", clock)
        ratios.append(known / unknown)
    ratio = statistics.median(ratios)
    assert LOWEST <= ratio <= HIGHEST, f"known/unknown = {ratio:.2f}"
    mails = db_session.scalar(select(func.count()).select_from(OutboxMail))
    assert mails == TRIES + 1  # the known login's mails only
