"""The daily membership job goes on past a subscription whose step fails: that one is logged
with its id and step, its work is rolled back (tried again on the next run), the others in its
batch are done, and `memberships run-daily` exits 1 naming it."""

import json
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from shared.clock import ManualClock
from shared.models.mail import OutboxMail
from shared.models.membership import StepDone
from shared.models.patron import Subscription
from shared.timeutil import local_today
from tests.support.factories import create_account, create_patron, create_subscription

DAY = timedelta(days=1)
# A line break in the address would add a header (Bcc): the e-mail library refuses to write it.
INJECTING = "kapot@example.nl\nBcc: iedereen@example.nl"


def ending_soon(clock: ManualClock, count: int) -> list[Subscription]:
    """Subscriptions paid once of patrons with a login, each ending within the notice days."""
    today = local_today(clock.now())
    made = []
    for _ in range(count):
        account = create_account(db.session, clock.now(), confirmed=True)
        patron = create_patron(db.session, account, clock.now())
        made.append(create_subscription(db.session, patron, "0045", today, end=today + 10 * DAY))
    db.session.commit()
    return made


def mailed_to() -> set[str]:
    """Where the renewal mails in the outbox go."""
    query = select(OutboxMail.to_address).where(OutboxMail.kind == "renewal")
    return set(db.session.scalars(query))


def claimed() -> set[int]:
    """The subscriptions whose notice is recorded as done."""
    return set(db.session.scalars(select(StepDone.subscription_id)))


def test_a_subscription_whose_step_fails_is_reported_and_the_rest_of_its_batch_is_done(
    app: Flask, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    first, broken, last = ending_soon(clock, 3)
    broken.patron.login_account.email = INJECTING
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["memberships", "run-daily"])
    assert result.exit_code == 1
    assert json.loads(result.stdout.splitlines()[-1])["notice"] == 3
    assert f"notice failed for subscription {broken.id}: ValueError" in result.stderr
    assert f"membership step notice failed for subscription {broken.id}" in caplog.text
    addresses = {first.patron.login_account.email, last.patron.login_account.email}
    assert (mailed_to(), claimed()) == (addresses, {first.id, last.id})
    broken.patron.login_account.email = "hersteld@example.nl"
    db.session.commit()
    again = runner.invoke(args=["memberships", "run-daily"])
    assert (again.exit_code, json.loads(again.stdout)["notice"]) == (0, 1)
    assert mailed_to() == addresses | {"hersteld@example.nl"}
    assert claimed() == {first.id, broken.id, last.id}
