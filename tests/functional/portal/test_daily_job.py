"""The daily membership job goes on past a subscription whose step fails: that one is logged
with its id and step, its work is rolled back (tried again on the next run), the others in its
batch are done, and `memberships run-daily` exits 1 naming it. The renewal mails it queues are
rendered by the mail worker, as the job would have rendered them. Two runs at once mail and
charge each subscription once: the second's claims wait for the first's and find them taken."""

import json
import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.memberships_cli import run_daily_for
from portal.wiring import mail_settings, now, renewal_rules
from shared.clock import ManualClock
from shared.mail.outbox import stored_bytes
from shared.mail.render import render_mail
from shared.memberships.daily import DailyReport, run_daily_committing
from shared.memberships.renewal import Renewal, renewed_through
from shared.models.ledger import LedgerEntry
from shared.models.mail import OutboxMail
from shared.models.membership import Letter, StepDone
from shared.models.patron import Subscription
from shared.payments.direct_debit import period_owed
from shared.timeutil import local_today
from tests.support.databases import only_on_postgresql
from tests.support.factories import create_account, create_patron, create_subscription

DAY = timedelta(days=1)
UNCOMMITTED_CLAIMS = (
    "claims of a transaction not committed yet (SQLite commits a batch's claims when its "
    "savepoint is released: no transaction is open around it)"
)
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


def test_the_worker_renders_the_renewal_mail_the_job_would_have_rendered(
    app: Flask, clock: ManualClock
) -> None:
    [subscription] = ending_soon(clock, 1)
    patron, end = subscription.patron, subscription.end_date
    runner = app.test_cli_runner()
    for step, day in (("notice", end - 10 * DAY), ("invoice", end + DAY)):
        while local_today(clock.now()) < day:
            clock.advance(DAY)
        assert json.loads(runner.invoke(args=["memberships", "run-daily"]).output)[step] == 1
        query = select(OutboxMail).where(OutboxMail.kind == "renewal").order_by(OutboxMail.id)
        mail = db.session.scalars(query).all()[-1]
        assert mail.message is None  # queued unrendered
        db.session.refresh(subscription)
        start = end + DAY
        context = {
            "patron": patron,
            "branch": patron.home_branch,
            "subscription": subscription,
            "step": step,
            "account_url": mail_settings().account_url,
            "start": start,
            "amount": period_owed(db.session, subscription, start),
            "renewed_through": renewed_through(subscription),
            "url": mail.render_from["context"]["url"],  # a signed token made by the job
        }
        expected = render_mail(
            "renewal",
            patron.locale,
            mail.to_address,
            context,
            mail_settings().sender,
            now=mail.created_at,
        )
        assert runner.invoke(args=["mail", "send"]).exit_code == 0
        db.session.refresh(mail)
        assert mail.status == "sent" and mail.subject == expected["Subject"]
        assert shown(mail.message) == shown(stored_bytes(expected))


def shown(message: bytes | None) -> list[str]:
    """What a patron sees of a mail: its headers but the random ones (Message-ID, the parts'
    boundary), and each part's content type and content."""
    assert message is not None
    parsed = message_from_bytes(message, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    random = ("Message-ID", "Content-Type")
    headers = [f"{name}: {value}" for name, value in parsed.items() if name not in random]
    parts = [(part.get_content_type(), part.get_content()) for part in parsed.iter_parts()]
    return [*headers, parsed.get_content_type(), *map(str, parts)]


@only_on_postgresql(UNCOMMITTED_CLAIMS)
def test_two_runs_at_once_mail_and_charge_each_subscription_once(
    app: Flask, clock: ManualClock, portal_instance: Callable[..., Flask]
) -> None:
    subscriptions = ending_soon(clock, 3)
    unmailed = subscriptions[-1].patron  # a letter instead: nothing in the outbox keeps it once
    unmailed.library_email = unmailed.login_account.email = ""
    db.session.commit()
    end = subscriptions[0].end_date
    for step, day in (("notice", end - 10 * DAY), ("invoice", end + DAY)):
        while local_today(clock.now()) < day:
            clock.advance(DAY)
        here, there = runs_at_once(portal_instance())
        assert (here.seen[step], here.failures, there.failures) == (3, [], [])
    renewal_mails = select(OutboxMail.dedupe_key).where(OutboxMail.kind == "renewal")
    mailed = Counter(key.rsplit(":", 1)[1] for key in db.session.scalars(renewal_mails))
    assert mailed == {"notice": 2, "invoice": 2}
    assert sorted(db.session.scalars(select(Letter.step))) == ["invoice", "notice"]
    charges = select(LedgerEntry.subscription_id).where(
        LedgerEntry.dedupe_key.like("charge:period:%")
    )
    assert sorted(db.session.scalars(charges)) == [s.id for s in subscriptions]


def runs_at_once(other: Flask) -> tuple[DailyReport, DailyReport]:
    """The day's job here and in another portal at once: the other starts when this one's
    first batch is done but not committed, and waits for it (its claims, or SQLite's lock)."""
    reports: list[DailyReport] = []

    def run_there() -> None:
        with other.app_context():
            reports.append(run_daily_for(local_today(now())))
            db.session.remove()

    there = threading.Thread(target=run_there)

    def commit() -> None:
        if there.ident is None:
            there.start()
            there.join(timeout=1)
            assert there.is_alive()  # waiting for this batch's claims
        db.session.commit()

    day = Renewal(local_today(now()), now(), renewal_rules(), mail_settings())
    here = run_daily_committing(db.session(), day, commit)
    there.join()
    return here, reports[0]
