"""Refunds through the sandbox: partial and full, refused beyond what was paid, also when racing."""

from decimal import Decimal

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from shared.models.payment import Payment, Refund
from shared.payments import ledger
from tests.support.refunds import race_refunds
from tests.support.signup import signed_up, start_payment, walk_to_review


def refund(app: Flask, reference: str, *options: str) -> tuple[int, str]:
    """Run `payments refund`; exit code and output."""
    result = app.test_cli_runner().invoke(args=["payments", "refund", reference, *options])
    return result.exit_code, result.output


def webhook(server: str, payment: Payment) -> int:
    """Mollie's webhook for the payment, posted to the running portal."""
    url = f"{server}/betalingen/webhook/{payment.reference}/{payment.webhook_secret}"
    return requests.post(url, data={"id": payment.provider_id}, timeout=20).status_code


def test_partial_refunds_up_to_the_paid_amount(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:
    payment = signed_up(client)
    assert refund(app, payment.reference, "--amount", "20.00")[0] == 0
    code, output = refund(app, payment.reference, "--amount", "38.01")
    assert code != 0 and "refund_too_much" in output and "38.00" in output
    assert refund(app, payment.reference)[1].startswith("refund 2: 38.00 EUR")
    remote = mollie_sandbox.client().payments.get(payment.provider_id)
    assert remote.amount_remaining == {"currency": "EUR", "value": "0.00"}
    assert refund(app, payment.reference)[0] != 0


def test_refund_status_comes_from_the_webhook_and_is_booked_once(
    client: FlaskClient, app: Flask, portal_server: str, mollie_sandbox
) -> None:
    payment = signed_up(client)
    refund(app, payment.reference, "--amount", "8.00", "--description", "Teveel betaald")
    ours = db.session.scalars(select(Refund)).one()
    assert ours.status == "pending" and ours.provider_id.startswith("re_")
    mollie_sandbox.set_refund_status(ours.provider_id, "refunded")
    assert webhook(portal_server, payment) == 200
    db.session.expire_all()
    assert db.session.get(Refund, ours.id).status == "refunded"
    assert ledger.balance(db.session, payment.patron_id) == Decimal("8.00")


def test_a_refund_whose_webhook_was_lost_is_settled_by_reconcile(
    client: FlaskClient, app: Flask, mollie_sandbox
) -> None:
    payment = signed_up(client)
    refund(app, payment.reference, "--amount", "8.00")
    ours = db.session.scalars(select(Refund)).one()
    mollie_sandbox.set_refund_status(ours.provider_id, "refunded", webhook=False)
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Refund, ours.id).status == "refunded"


def test_a_failed_refund_frees_its_amount(
    client: FlaskClient, app: Flask, portal_server: str, mollie_sandbox
) -> None:
    payment = signed_up(client)
    refund(app, payment.reference)
    ours = db.session.scalars(select(Refund)).one()
    mollie_sandbox.set_refund_status(ours.provider_id, "failed")
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).amount_refunded == 0
    assert ledger.balance(db.session, payment.patron_id) == 0
    assert refund(app, payment.reference)[0] == 0


def test_a_refund_the_provider_refuses_is_failed_and_one_made_elsewhere_recorded(
    client: FlaskClient, app: Flask, portal_server: str, mollie_sandbox
) -> None:
    payment = signed_up(client)
    outside = mollie_sandbox.client().payments.get(payment.provider_id)
    outside.refunds.create({"amount": {"currency": "EUR", "value": "50.00"}})
    code, output = refund(app, payment.reference, "--amount", "10.00")
    assert code == 0 and "failed" in output
    assert webhook(portal_server, payment) == 200
    db.session.expire_all()
    statuses = {r.amount: r.status for r in db.session.scalars(select(Refund))}
    assert statuses == {Decimal("10.00"): "failed", Decimal("50.00"): "pending"}
    assert db.session.get(Payment, payment.id).amount_refunded == Decimal("50.00")


def test_a_refund_is_impossible_on_an_unpaid_payment(client: FlaskClient, app: Flask) -> None:
    walk_to_review(client)
    start_payment(client)
    payment = db.session.scalars(select(Payment)).one()
    code, output = refund(app, payment.reference, "--amount", "1.00")
    assert code != 0 and "refund_too_much" in output


def test_parallel_refunds_never_exceed_what_was_paid(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:
    payment = signed_up(client)
    outcomes = race_refunds(app, payment.id, Decimal("10.00"), 20)
    assert sorted(set(outcomes)) == ["ok", "refund_too_much"] and outcomes.count("ok") == 5
    remote = mollie_sandbox.client().payments.get(payment.provider_id).refunds.list()
    assert sum(Decimal(r.amount["value"]) for r in remote) == Decimal("50.00")
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).amount_refunded == Decimal("50.00")


@pytest.mark.parametrize("amount", ["0", "-1.00"])
def test_a_refund_must_be_positive(
    app: Flask, client: FlaskClient, mollie_sandbox, amount: str
) -> None:
    payment = signed_up(client)
    code, output = refund(app, payment.reference, "--amount", amount)
    assert code != 0 and "refund_amount_invalid" in output
