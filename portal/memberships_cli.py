"""`flask --app portal memberships run-daily [--date YYYY-MM-DD]`: the day's membership steps
(renewal mails, invoices, reminders, lapses, free renewals, youth moving on), each once."""

import json
from datetime import date, datetime

import click
from flask.cli import AppGroup

from portal.config import log_to_stderr
from portal.extensions import db
from portal.wiring import home_libraries, mail_settings, now, renewal_rules
from shared.memberships.daily import DailyReport, run_daily_committing
from shared.memberships.renewal import Renewal
from shared.timeutil import local_today

memberships = AppGroup("memberships", help="The life of memberships.", callback=log_to_stderr)


@memberships.command("run-daily")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="The day (default today).")
def run_daily(day: datetime | None) -> None:
    """Run the day's steps (again: each is done once per period) and print what each saw; exit
    1 naming each subscription whose step failed (the others were done)."""
    today = day.date() if day else local_today(now())
    report = run_daily_for(today)
    click.echo(json.dumps(report.seen, sort_keys=True))
    for failure in report.failures:
        click.echo(
            f"{failure.step} failed for subscription {failure.subscription_id}: {failure.error}",
            err=True,
        )
    if report.failures:
        raise click.exceptions.Exit(1)


def run_daily_for(today: date) -> DailyReport:
    """The membership steps of `today`, committed batch by batch."""
    day = Renewal(
        today=today,
        now=now(),
        rules=renewal_rules(),
        mail=mail_settings(),
        homes=home_libraries(),
    )
    return run_daily_committing(db.session(), day, db.session.commit)
