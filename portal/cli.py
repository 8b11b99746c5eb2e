"""`flask --app portal ...` commands: catalogue, purge, payment reconciliation, mail worker."""

import logging
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.orm import sessionmaker

from portal.wiring import mail_settings, payment_provider
from shared.catalogue.loader import load_catalogue
from shared.db import db
from shared.mail.transport import Transport, transport_from_config
from shared.mail.worker import run_worker, send_pending
from shared.payments.provider import PaymentProviderError
from shared.payments.service import unfinished_payments
from shared.purge import paid_but_unconfirmed, purge_unconfirmed
from shared.signup_payment import process_payment
from shared.timeutil import utcnow

log = logging.getLogger(__name__)
catalogue = AppGroup("catalogue", help="The library's subscriptions and branches.")
accounts = AppGroup("accounts", help="Login account housekeeping.")
payments = AppGroup("payments", help="Payment housekeeping.")
mail = AppGroup("mail", help="The mail outbox.")


@catalogue.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
def catalogue_load(path: str | None) -> None:
    """Load a catalogue file (default: the configured one); loading again updates by code."""
    file = Path(path or current_app.config["CATALOGUE_FILE"])
    subscriptions, branches = load_catalogue(db.session, file)
    db.session.commit()
    click.echo(f"{file.name}: {subscriptions} subscriptions, {branches} branches")


@accounts.command("purge")
def accounts_purge() -> None:
    """Delete login accounts not confirmed within 24 hours, with their unpaid drafts."""
    report = purge_unconfirmed(db.session, utcnow())
    db.session.commit()
    click.echo(f"deleted {report.accounts} accounts, {report.registrations} draft registrations")


@accounts.command("unconfirmed-paid")
def accounts_unconfirmed_paid() -> None:
    """List patrons who paid but did not confirm their login account (for staff)."""
    patrons = paid_but_unconfirmed(db.session, utcnow())
    for patron in patrons:
        account = patron.login_account
        click.echo(
            f"{patron.customer_number}\t{patron.surname}\t{account.email if account else ''}"
        )
    click.echo(f"{len(patrons)} patrons")


@payments.command("reconcile")
def payments_reconcile() -> None:
    """Fetch every unfinished payment from the provider and act on its status."""
    click.echo(f"reconciled {reconcile()} payments")


def reconcile() -> int:
    """One reconciliation pass; a provider failure on one payment does not stop the others."""
    provider, settings = payment_provider(), mail_settings()
    done = 0
    for payment in unfinished_payments(db.session):
        try:
            process_payment(db.session, payment, provider, settings)
            db.session.commit()
            done += 1
        except PaymentProviderError as error:
            db.session.rollback()
            log.error("reconcile payment %s: %s", payment.reference, error)
    return done


@mail.command("send")
def mail_send() -> None:
    """Send every due mail once."""
    report = send_pending(db.session, _transport())
    click.echo(f"sent {report.sent}, retried {report.retried}, failed {report.failed}")


@mail.command("worker")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
def mail_worker(interval: float) -> None:
    """Send due mails until interrupted."""
    run_worker(sessionmaker(bind=db.engine), _transport(), interval=interval)


@click.command("housekeeping")
@click.option("--interval", default=300.0, show_default=True, help="Seconds between passes.")
def housekeeping(interval: float) -> None:
    """Reconcile payments and purge expired accounts, every interval, until interrupted."""
    while True:
        try:
            log.info("housekeeping: reconciled %d payments", reconcile())
            report = purge_unconfirmed(db.session, utcnow())
            db.session.commit()
            log.info("housekeeping: purged %d accounts", report.accounts)
        except Exception:
            db.session.rollback()
            log.exception("housekeeping pass failed; trying again later")
        time.sleep(interval)


def _transport() -> Transport:
    """The configured mail transport."""
    config = current_app.config
    return transport_from_config(config["MAIL_URL"], config["MAIL_DIR"])


def register(app: Flask) -> None:
    """Attach the command groups to the app."""
    for group in (catalogue, accounts, payments, mail, housekeeping):
        app.cli.add_command(group)
