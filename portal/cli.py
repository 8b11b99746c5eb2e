"""`flask --app portal ...` commands: catalogue, purge, payments, kiosks, ledger, mail worker."""

import json
import logging
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.orm import sessionmaker

from portal.audit_cli import audit, purge_expired
from portal.config import log_to_stderr
from portal.demo_cli import demo
from portal.desk_cli import desk
from portal.extensions import db
from portal.isil_cli import isil
from portal.memberships_cli import memberships, run_daily_for
from portal.oidc.cli import oidc
from portal.privacy_cli import privacy, purge_expired_payments
from portal.refusals import refusals_reported
from portal.settlement import reconcile
from portal.wiring import MAIL_LOADERS, clock, now, payment_provider
from shared.accounts.desk import create_desk_login, forget_login, set_desk_password
from shared.accounts.staff import create_staff_login, set_staff_role
from shared.catalogue.loader import load_catalogue
from shared.kiosks.devices import (
    STALE_AFTER,
    KioskStatus,
    is_degraded,
    kiosk_status,
    list_devices,
    register_device,
    revoke_device,
)
from shared.kiosks.id_checks import RECENT_DAYS, recent_checks
from shared.mail.transport import Transport, transport_from_config
from shared.mail.worker import run_worker, send_pending_committing
from shared.memberships.cancellation import (
    Cancellation,
    CancelWhen,
    cancel_subscription,
    direct_debit_cancellable,
)
from shared.models.account import LoginAccount
from shared.models.kiosk import KioskDevice
from shared.models.patron import Patron
from shared.models.staff import StaffRole
from shared.patrons.lookup import find_patron
from shared.payments import direct_debit, ledger
from shared.payments.provider import (
    PaymentProviderError,
    PaymentRefused,
    ProviderTerminal,
    ProviderUnauthorized,
)
from shared.payments.refunds import refund_payment_committing
from shared.payments.service import find_by_reference
from shared.signup.purge import paid_but_unconfirmed, purge_unconfirmed
from shared.timeutil import LOCAL_TZ, local_today

log = logging.getLogger(__name__)
# Every group logs INFO and up to stderr: one-shot commands (reconcile from cron) as workers.
catalogue = AppGroup(
    "catalogue", help="The library's subscriptions and branches.", callback=log_to_stderr
)
accounts = AppGroup("accounts", help="Login account housekeeping.", callback=log_to_stderr)
payments = AppGroup("payments", help="Payment housekeeping.", callback=log_to_stderr)
mail = AppGroup("mail", help="The mail outbox.", callback=log_to_stderr)
kiosk = AppGroup(
    "kiosk", help="Kiosk devices, their API tokens, health and ID checks.", callback=log_to_stderr
)
ledger_group = AppGroup(
    "ledger", help="What patrons owe: charges, payments, refunds.", callback=log_to_stderr
)
direct_debit_group = AppGroup(
    "direct-debit", help="Direct debit (automatische incasso).", callback=log_to_stderr
)
NEEDS_ATTENTION = frozenset({KioskStatus.DEGRADED, KioskStatus.OFFLINE})


@catalogue.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
def catalogue_load(path: str | None) -> None:
    """Load a catalogue file (default: the configured one); loading again updates by code."""
    file = Path(path or current_app.config["CATALOGUE_FILE"])
    subscriptions, branches = load_catalogue(db.session(), file)
    db.session.commit()
    click.echo(f"{file.name}: {subscriptions} subscriptions, {branches} branches")


@accounts.command("purge")
def accounts_purge() -> None:
    """Delete login accounts not confirmed within 24 hours, with their unpaid drafts."""
    report = purge_unconfirmed(db.session(), now())
    db.session.commit()
    click.echo(f"deleted {report.accounts} accounts, {report.registrations} draft registrations")


@accounts.command("forget")
@click.argument("number")
def accounts_forget(number: str) -> None:
    """Unlink a patron's login account so a new one can be made (staff, on request)."""
    with refusals_reported():
        forget_login(db.session(), _patron(number))
    db.session.commit()
    click.echo(f"{number}: login account forgotten")


@accounts.command("create-login")
@click.argument("number")
def accounts_create_login(number: str) -> None:
    """Make a login without e-mail; prints the one-time password (the first login sets the rest)."""
    with refusals_reported():
        account, password = create_desk_login(db.session(), _patron(number), now())
    db.session.commit()
    _show_password(account, password)


@accounts.command("reset-password")
@click.argument("number")
def accounts_reset_password(number: str) -> None:
    """Set a one-time password for a patron (the desk, when no e-mail is known); prints it."""
    with refusals_reported():
        account, password = set_desk_password(db.session(), _patron(number), now())
    db.session.commit()
    _show_password(account, password)


STAFF_ROLES = click.Choice([role.value for role in StaffRole])


@accounts.command("create-staff")
@click.argument("username")
@click.option("--email", required=True, help="The staff member's e-mail address.")
@click.option("--role", type=STAFF_ROLES, required=True, help="desk or coordinator.")
def accounts_create_staff(username: str, email: str, role: str) -> None:
    """Make a staff login (no patron record); prints as JSON, once, its one-time password (to
    be changed at the first login) and the otpauth URI for the member's authenticator app."""
    with refusals_reported():
        made = create_staff_login(db.session(), username, email, StaffRole(role), now())
    db.session.commit()
    shown = {"username": made.account.username, "password": made.password}
    click.echo(json.dumps(shown | {"otpauth_uri": made.otpauth_uri}))


@accounts.command("staff-role")
@click.argument("username")
@click.option("--role", type=STAFF_ROLES, help="Give the login this staff role.")
@click.option("--off", is_flag=True, help="Take the staff role back.")
def accounts_staff_role(username: str, role: str | None, off: bool) -> None:
    """Give an existing login a staff role (--role), or take it back (--off); prints as JSON
    the role and, for a member without a second factor, once, the otpauth URI for their app."""
    if off == (role is not None):
        raise click.UsageError("give either --role or --off")
    with refusals_reported():
        uri = set_staff_role(db.session(), username, StaffRole(role) if role else None, now())
    db.session.commit()
    shown = {"username": username.strip().casefold(), "role": role or "patron"}
    click.echo(json.dumps(shown | ({"otpauth_uri": uri} if uri else {})))


def _show_password(account: LoginAccount, password: str) -> None:
    """The login's username and the password to hand over (shown this once only)."""
    click.echo(f"username {account.username}\tpassword {password}")


@accounts.command("unconfirmed-paid")
def accounts_unconfirmed_paid() -> None:
    """List patrons who paid but did not confirm their login account (for staff)."""
    patrons = paid_but_unconfirmed(db.session(), now())
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


@payments.command("refund")
@click.argument("reference")
@click.option("--amount", help="Euros to refund, like 12.50 (default: all that is left).")
@click.option("--description", default="", help="Why (shown to the patron by the bank).")
def payments_refund(reference: str, amount: str | None, description: str) -> None:
    """Refund all or part of a paid payment through the provider."""
    payment = find_by_reference(db.session(), reference)
    if payment is None:
        raise click.ClickException(f"no payment with reference {reference}")
    value = Decimal(amount) if amount else None
    try:
        with refusals_reported():
            refund = refund_payment_committing(
                db.session(), payment, value, description, payment_provider(), now()
            )
    except PaymentProviderError as error:
        raise provider_failure(error, "reconcile will retry") from error
    click.echo(f"refund {refund.id}: {refund.amount:.2f} EUR, {refund.status}")


@kiosk.command("add-device")
@click.argument("name")
@click.option("--branch", required=True, help="Code of the branch the kiosk stands in.")
@click.option("--terminal", help="Mollie terminal id (term_...) of its PIN terminal.")
def kiosk_add_device(name: str, branch: str, terminal: str | None) -> None:
    """Register a kiosk; prints its API token once, as JSON (with its terminal's status at
    Mollie, and a warning while that is not active)."""
    found = _terminal_at_mollie(terminal) if terminal else None
    with refusals_reported():
        device, token = register_device(db.session(), name, branch, terminal, now())
    db.session.commit()
    answer: dict[str, object] = {"device_id": device.id, "token": token}
    if found is not None:
        answer["terminal_status"] = found.status
        if found.status != "active":
            answer["warning"] = (
                f"terminal {found.id} is {found.status} at Mollie: payments at this kiosk are"
                " refused until it is active"
            )
    click.echo(json.dumps(answer))


def _terminal_at_mollie(terminal: str) -> ProviderTerminal:
    """The terminal as Mollie knows it; an error saying what to fix when it does not."""
    try:
        return payment_provider().get_terminal(terminal)
    except PaymentRefused as error:
        raise click.ClickException(
            f"Mollie does not know terminal {terminal} on this profile: check its id in"
            " Mollie's dashboard (Point of sale > Terminals)"
        ) from error
    except PaymentProviderError as error:
        raise provider_failure(error, "nothing registered; run this again") from error


def provider_failure(error: PaymentProviderError, then: str) -> click.ClickException:
    """The command's error when Mollie failed: a refused key says so (nothing is retried until
    it is fixed), an outage what happens next."""
    if isinstance(error, ProviderUnauthorized):
        stopped = "payments are stopped until MOLLIE_API_KEY is fixed"
        return click.ClickException(f"Mollie refuses the API key: {stopped} ({error})")
    return click.ClickException(f"Mollie could not be reached; {then}: {error}")


@kiosk.command("revoke-device")
@click.argument("device_id", type=int)
def kiosk_revoke_device(device_id: int) -> None:
    """Refuse a kiosk's token from now on."""
    with refusals_reported():
        device = revoke_device(db.session(), device_id, now())
    db.session.commit()
    click.echo(f"kiosk {device.id} ({device.name}) revoked")


@kiosk.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of a table.")
@click.option(
    "--stale-after",
    type=click.IntRange(min=1),
    default=int(STALE_AFTER.total_seconds()),
    show_default=True,
    help="Seconds without a heartbeat after which a kiosk counts as offline.",
)
def kiosk_list(as_json: bool, stale_after: int) -> None:
    """Every kiosk: branch, when it was last seen, its status and devices' health (staff
    overview); degraded and offline kiosks in capitals."""
    moment, stale = now(), timedelta(seconds=stale_after)
    devices = list_devices(db.session())
    kiosks = [(device, kiosk_status(device, moment, stale)) for device in devices]
    if as_json:
        click.echo(json.dumps([_kiosk_json(device, status) for device, status in kiosks], indent=2))
        return
    for device, status in kiosks:
        states = (device.health or {}).get("devices", {})
        health = ", ".join(f"{name}={state}" for name, state in states.items()) or "-"
        shown = status.upper() if status in NEEDS_ATTENTION else status.value
        cells = (str(device.id), device.name, device.branch.code, _local(device.last_seen_at))
        click.echo("\t".join((*cells, shown, health)))
    click.echo(f"{len(kiosks)} kiosks")


@kiosk.command("id-checks")
@click.option("--since", default=RECENT_DAYS, show_default=True, help="Days to look back.")
def kiosk_id_checks(since: int) -> None:
    """Recent ID document checks at kiosks, newest first, for the desk to follow up."""
    checks = recent_checks(db.session(), now() - timedelta(days=since))
    for check in checks:
        number = check.patron.customer_number
        cells = (_local(check.checked_at), check.kiosk.name, number, check.outcome)
        click.echo("\t".join((*cells, check.document_type or "-", check.reason or "-")))
    click.echo(f"{len(checks)} ID checks")


def _kiosk_json(device: KioskDevice, status: KioskStatus) -> dict[str, object]:
    """A kiosk as the staff listing gives it in JSON."""
    health = device.health or {}
    return {
        "id": device.id,
        "name": device.name,
        "branch": device.branch.code,
        "last_seen_at": device.last_seen_at.isoformat() if device.last_seen_at else None,
        "health_reported_at": (
            device.health_reported_at.isoformat() if device.health_reported_at else None
        ),
        "devices": health.get("devices", {}),
        "software": health.get("software"),
        "status": status.value,
        "degraded": is_degraded(device),
        "revoked": device.revoked_at is not None,
    }


def _local(moment: datetime | None) -> str:
    """A moment in the library's time zone, to the minute."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if moment else "never"


@ledger_group.command("charge")
@click.argument("number")
@click.argument("amount")
@click.argument("description")
@click.option(
    "--key", required=True, help="Your unique key for this charge (a retry adds nothing)."
)
def ledger_charge(number: str, amount: str, description: str, key: str) -> None:
    """Record something a patron owes (a fee, an unpaid contribution)."""
    patron = _patron(number)
    ledger.charge(db.session(), patron.id, Decimal(amount), description, f"manual:{key}", now())
    db.session.commit()
    click.echo(f"{number} owes {ledger.balance(db.session(), patron.id):.2f} EUR")


@ledger_group.command("show")
@click.argument("number")
def ledger_show(number: str) -> None:
    """A patron's ledger lines and balance."""
    patron = _patron(number)
    for entry in ledger.entries(db.session(), patron.id):
        click.echo(
            f"{entry.created_at:%Y-%m-%d}\t{entry.entry_type}\t{entry.amount:.2f}\t{entry.description}"
        )
    click.echo(f"owes {ledger.balance(db.session(), patron.id):.2f} EUR")


@direct_debit_group.command("show")
@click.argument("number")
def direct_debit_show(number: str) -> None:
    """A patron's direct debit: the schedule and the mandates (IBAN masked)."""
    patron = _patron(number)
    subscription = direct_debit.active_direct_debit(db.session(), patron)
    if subscription is None:
        click.echo("no direct debit")
    else:
        click.echo(
            f"collected every {subscription.type.term_months} months from "
            f"{subscription.renewal_start}; paid through {subscription.end_date}; "
            f"status {subscription.status}"
        )
    for mandate in direct_debit.mandates(db.session(), patron):
        click.echo(
            f"mandate {mandate.masked_iban}\t{mandate.holder_name}\t"
            f"signed {mandate.signature_date}\t{mandate.status}"
        )


@direct_debit_group.command("revoke")
@click.argument("number")
@click.option("--reason", required=True, help="Why: a cancel reason's code of the catalogue.")
def direct_debit_revoke(number: str, reason: str) -> None:
    """Stop a patron's direct debit, for a reason: the subscription is cancelled and runs to
    the end of the paid period."""
    patron = _patron(number)
    stop = Cancellation(CancelWhen.END_OF_PERIOD, reason)
    try:
        with refusals_reported():
            direct_debit_cancellable(patron, local_today(now()))
            subscription = cancel_subscription(
                db.session(), patron, stop, payment_provider(), now(), desk=True
            )
    except PaymentProviderError as error:
        raise provider_failure(error, "run this again to finish") from error
    db.session.commit()
    click.echo(f"direct debit stopped; valid through {subscription.end_date.isoformat()}")


def _patron(number: str) -> Patron:
    """The patron with this customer or system number, or a clear error."""
    patron = find_patron(db.session(), number)
    if patron is None:
        raise click.ClickException(f"no patron with number {number}")
    return patron


@mail.command("send")
def mail_send() -> None:
    """Send every due mail once."""
    report = send_pending_committing(db.session(), _transport(), now=now(), loaders=MAIL_LOADERS)
    click.echo(f"sent {report.sent}, retried {report.retried}, failed {report.failed}")


@mail.command("worker")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
def mail_worker(interval: float) -> None:
    """Send due mails until interrupted."""
    run_worker(
        sessionmaker(bind=db.engine),
        _transport(),
        interval=interval,
        clock=clock(),
        loaders=MAIL_LOADERS,
    )


@click.command("housekeeping")
@click.option("--interval", default=300.0, show_default=True, help="Seconds between passes.")
def housekeeping(interval: float) -> None:
    """Reconcile payments, purge expired accounts, audit entries and erased patrons' payments
    past retention, and run the day's membership steps (each once), every interval, until
    interrupted."""
    log_to_stderr()
    while True:
        try:
            log.info("housekeeping: reconciled %d payments", reconcile())
            report = purge_unconfirmed(db.session(), now())
            db.session.commit()
            log.info("housekeeping: purged %d accounts", report.accounts)
            log.info("housekeeping: purged %d audit entries", purge_expired())
            log.info("housekeeping: purged %d anonymised payments", purge_expired_payments())
            memberships = run_daily_for(local_today(now()))
            log.info("housekeeping: memberships %s", memberships.seen)
            if memberships.failures:
                log.error("housekeeping: membership steps failed: %s", memberships.failures)
        except Exception:
            db.session.rollback()
            log.exception("housekeeping pass failed; trying again later")
        clock().sleep(interval)


def _transport() -> Transport:
    """The configured mail transport."""
    config = current_app.config
    return transport_from_config(config["MAIL_URL"], config["MAIL_DIR"])


def register(app: Flask) -> None:
    """Attach the command groups to the app."""
    groups = (catalogue, accounts, payments, mail, housekeeping, kiosk, ledger_group)
    for group in (*groups, direct_debit_group, oidc, demo, audit, memberships, privacy, desk, isil):
        app.cli.add_command(group)
