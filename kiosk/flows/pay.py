"""Paying what is owed on the PIN terminal: start once per attempt, follow it, cancel, settle.

An attempt keeps its own request key, so a double tap or a retried request never starts a
second payment; "try again" after a failed, canceled or expired payment is a new attempt.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_babel import gettext as _

from kiosk.branch import Branch
from kiosk.flows.session import PatronSession, Step
from kiosk.hardware.base import Receipt
from kiosk.portal_client import (
    PortalRefused,
    PortalUnavailable,
    ProviderUnavailable,
    new_request_key,
)
from kiosk.receipts import make_receipt, print_receipt

if TYPE_CHECKING:  # kiosk.context imports this module to cancel a payment when a session ends
    from kiosk.context import Kiosk


class TerminalStatus(StrEnum):
    """A terminal payment's status as the portal's kiosk API reports it (Mollie's, and
    `created` before Mollie answered)."""

    CREATED = "created"
    OPEN = "open"
    PENDING = "pending"
    AUTHORIZED = "authorized"
    PAID = "paid"
    CANCELED = "canceled"
    EXPIRED = "expired"
    FAILED = "failed"

    @property
    def waiting(self) -> bool:
        """Whether the terminal may still take the patron's card (or is reading it)."""
        return self not in ENDED and self != TerminalStatus.PAID


ENDED = frozenset({TerminalStatus.FAILED, TerminalStatus.CANCELED, TerminalStatus.EXPIRED})


class ReceiptMail(StrEnum):
    """What became of mailing a receipt the printer could not print."""

    QUEUED = "queued"
    NO_EMAIL = "no_email"
    FAILED = "failed"


# Real seconds: it bounds a call to the portal, which a hanging portal would hold for ever.
CANCEL_WAIT_SECONDS = 1.0  # how long an ending session waits for its payment's cancel
_lock = threading.Lock()  # one start or settlement at a time: double taps, parallel polls
log = logging.getLogger(__name__)


@dataclass
class PaymentAttempt:
    """One payment on the terminal as the kiosk follows it."""

    key: str
    started_at: float  # the kiosk clock's monotonic seconds
    reference: str | None = None
    status: TerminalStatus = TerminalStatus.OPEN
    amount: str = "0.00"
    currency: str = "EUR"
    not_cancelable: bool = False
    receipt: Receipt | None = None
    printed: bool = False
    mailed: ReceiptMail | None = None  # when the receipt was not printed
    timed_out: bool = False  # canceled by the kiosk after KIOSK_TERMINAL_SECONDS
    charges: list[dict[str, str]] = field(default_factory=list)  # what it pays: open charges

    def update(self, payment: dict[str, Any]) -> None:
        """Take over what the portal says of the payment."""
        self.reference, self.status = payment["reference"], TerminalStatus(payment["status"])
        self.amount, self.currency = payment["amount"], payment.get("currency", "EUR")


def attempt(session: PatronSession) -> PaymentAttempt | None:
    """The session's current payment attempt, if any."""
    return session.data.get("payment")


def begin(kiosk: Kiosk, session: PatronSession) -> PaymentAttempt:
    """Start paying everything owed (the same payment again on a double tap)."""
    with _lock:
        current = attempt(session)
        if current is None or current.status in ENDED:
            current = PaymentAttempt(new_request_key(), started_at=kiosk.clock.monotonic())
            session.data["payment"] = current
        if current.reference is None:
            number = (session.patron or {})["number"]
            # What it pays, asked first: once the terminal waits, nothing may fail before the
            # check below that can cancel it.
            current.charges = kiosk.portal.balance(number)["open_charges"]
            current.update(kiosk.portal.start_payment(number, current.key))
            if kiosk.sessions.current() is not session:
                # Stopped while the portal started it: it must not wait on the terminal.
                cancel_waiting(kiosk, session)
                return current
        if session.step == Step.PATRON:
            session.move(Step.PAYING)
        return current


def follow(kiosk: Kiosk, session: PatronSession) -> PaymentAttempt | None:
    """The attempt with its latest status; settled (receipt and all) once it is paid."""
    current = attempt(session)
    if current is None or current.reference is None:
        return current
    if current.status.waiting:
        try:
            current.update(kiosk.portal.payment(current.reference))
        except ProviderUnavailable:
            return current  # a hiccup at the payment service: ask again at the next poll
        _give_up_if_too_long(kiosk, session, current)
    if current.status == TerminalStatus.PAID:
        settle(kiosk, session, current)
    return current


def _give_up_if_too_long(kiosk: Kiosk, session: PatronSession, current: PaymentAttempt) -> None:
    """Cancel a payment the terminal waited on for longer than KIOSK_TERMINAL_SECONDS."""
    limit = current_app.config["KIOSK_TERMINAL_SECONDS"]
    waited = kiosk.clock.monotonic() - current.started_at
    # Once the terminal accepted the card, it finishes the payment: keep following.
    if not current.status.waiting or current.not_cancelable or waited < limit:
        return
    cancel(kiosk, session)
    current.timed_out = current.status == TerminalStatus.CANCELED


def waiting(session: PatronSession) -> PaymentAttempt | None:
    """The session's attempt while it waits on the terminal, else None."""
    current = attempt(session)
    if current is None or current.reference is None or not current.status.waiting:
        return None
    return current


def cancel(kiosk: Kiosk, session: PatronSession) -> None:
    """Stop the payment on the terminal; too late once the terminal accepted the card."""
    current = waiting(session)
    if current is None:
        return
    assert current.reference is not None  # waiting() returns only an attempt the portal started
    try:
        current.update(kiosk.portal.cancel_payment(current.reference))
    except PortalRefused as refusal:
        if refusal.code != "not_cancelable":
            raise
        current.not_cancelable = True


def cancel_waiting(kiosk: Kiosk, session: PatronSession) -> None:
    """The session ends: stop its payment still waiting on the terminal, as far as we can."""
    current = waiting(session)
    if current is None:
        return
    try:
        cancel(kiosk, session)
    except (PortalRefused, PortalUnavailable) as error:
        log.warning("session ended; payment %s not canceled: %s", current.reference, error)
        return
    if current.not_cancelable:
        log.warning("session ended; payment %s was too late to cancel", current.reference)


def cancel_in_background(kiosk: Kiosk, session: PatronSession) -> None:
    """Cancel an ended session's waiting payment, waiting for a hanging portal only briefly."""
    # A cancel that never arrives is covered: the portal cancels this kiosk's waiting payment
    # when it starts the next one.
    if waiting(session) is None or not kiosk.heartbeat.online:
        return
    worker = threading.Thread(
        target=cancel_waiting, args=(kiosk, session), name="kiosk-cancel", daemon=True
    )
    worker.start()
    worker.join(CANCEL_WAIT_SECONDS)


def back_to_patron(session: PatronSession) -> bool:
    """Leave paying for the patron screen; False while a payment still runs."""
    if waiting(session) is not None:
        return False
    if session.step in (Step.PAYING, Step.PAID):
        session.move(Step.PATRON)
    session.data.pop("payment", None)
    return True


def settle(kiosk: Kiosk, session: PatronSession, current: PaymentAttempt) -> None:
    """Once per paid attempt: a fresh patron summary, and the receipt printed or mailed."""
    with _lock:  # held throughout: a parallel poll must not show a half-settled payment
        if session.step != Step.PAYING:
            return
        card_masked = (session.patron or {}).get("card_masked")
        _refresh_patron(kiosk, session)
        branch = kiosk.heartbeat.known_branch()
        current.receipt = payment_receipt(current, card_masked, branch, kiosk.clock.now())
        current.printed = print_receipt(kiosk.devices, current.receipt)
        if not current.printed:
            kiosk.heartbeat.report_now()
            current.mailed = _mail_receipt(kiosk, current, session.language)
        session.move(Step.PAID)


def payment_receipt(
    current: PaymentAttempt, card_masked: str | None, branch: Branch | None, printed_at: datetime
) -> Receipt:
    """The receipt: what was paid, the payment reference (also as a barcode, for the desk to
    find the payment), the masked card number, the total."""
    amount = Decimal(current.amount)
    lines = [
        *_paid_lines(current, amount),
        (_("Payment reference: %(reference)s", reference=current.reference), None),
    ]
    if card_masked:
        # Receipt printers know no bullet character: mask with asterisks on paper.
        card = card_masked.replace("•", "*")
        lines.append((_("Library card: %(card)s", card=card), None))
    title = _("Payment receipt")
    return make_receipt(
        current_app.config,
        branch,
        printed_at,
        title,
        lines,
        total=amount,
        total_label=_("Total"),
        barcode=current.reference,
    )


def _paid_lines(current: PaymentAttempt, amount: Decimal) -> list[tuple[str, Decimal | None]]:
    """One line per charge paid; one line for the whole when the charges are not what was paid
    (part of it was being paid on another terminal)."""
    charges = [(charge["description"], Decimal(charge["amount"])) for charge in current.charges]
    if charges and sum(paid for _text, paid in charges) == amount:
        return list(charges)
    return [(_("Paid what you owed"), amount)]


def _refresh_patron(kiosk: Kiosk, session: PatronSession) -> None:
    """The patron's summary after paying (what is owed now); the old one if the portal says no."""
    if session.ticket is None:
        return
    try:
        session.patron = kiosk.portal.patron(session.ticket)
    except (PortalRefused, PortalUnavailable):
        return


def _mail_receipt(kiosk: Kiosk, current: PaymentAttempt, language: str) -> ReceiptMail:
    """Ask the portal to mail the receipt that could not be printed (in the patron's language
    at the kiosk); how that went."""
    try:
        kiosk.portal.mail_receipt(current.reference or "", language)
    except PortalRefused as refusal:
        return ReceiptMail.NO_EMAIL if refusal.code == "no_email" else ReceiptMail.FAILED
    except PortalUnavailable:
        return ReceiptMail.FAILED
    return ReceiptMail.QUEUED
