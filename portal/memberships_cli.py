"""`flask --app portal memberships run-daily [--date YYYY-MM-DD]`: the day's membership steps
(renewal mails, invoices, reminders, lapses, free renewals, youth moving on), each once."""

import json
from datetime import date, datetime

import click
from flask.cli import AppGroup

from portal.config import log_to_stderr
from portal.extensions import db
from portal.wiring import mail_settings, now, renewal_rules
from shared.memberships.daily import run_daily_committing
from shared.memberships.renewal import Renewal
from shared.timeutil import local_today

memberships = AppGroup("memberships", help="The life of memberships.", callback=log_to_stderr)


@memberships.command("run-daily")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="The day (default today).")
def run_daily(day: datetime | None) -> None:
    """Run the day's steps (again: each is done once per period) and print what each saw."""
    today = day.date() if day else local_today(now())
    click.echo(json.dumps(run_daily_for(today), sort_keys=True))


def run_daily_for(today: date) -> dict[str, int]:
    """The membership steps of `today`, committed batch by batch."""
    day = Renewal(today=today, now=now(), rules=renewal_rules(), mail=mail_settings())
    return run_daily_committing(db.session(), day, db.session.commit)
