"""The payment flows rehearsed against the sandbox as a live profile behaves: a key that must
match, webhooks retried on Mollie's schedule (a thousand times faster), checkouts and terminal
payments that expire. After each flow the ledger holds what the sandbox holds, to the cent."""

import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from shared.models.patron import Patron, Subscription
from shared.models.payment import Payment, PaymentStatus
from tests.support.kiosk_api import kiosk_payment, owing_patron, register_kiosk
from tests.support.ledger_checks import assert_ledger_matches_the_sandbox
from tests.support.mollie_sandbox import MollieSandbox, point_portal_at, running_sandbox
from tests.support.servers import running_server
from tests.support.signup import checkout, csrf_token, signed_up, start_payment, walk_to_review

RETRY_SCALE = "0.001"  # Mollie's retry after 1 minute comes after 60 ms
CHECKOUT_EXPIRY = timedelta(minutes=15, seconds=1)  # iDEAL (docs/mollie-sandbox.md)
TERMINAL_EXPIRY = timedelta(seconds=41)  # a terminal waits about 40 seconds for the card


@pytest.fixture(scope="module")
def live_profile() -> Iterator[MollieSandbox]:
    """A sandbox retrying webhooks on Mollie's schedule, compressed; keys checked, expiry on."""
    with running_sandbox({"MOLLIE_SANDBOX_WEBHOOK_RETRY_SCALE": RETRY_SCALE}) as sandbox:
        yield sandbox


@pytest.fixture
def live(client: FlaskClient, live_profile: MollieSandbox) -> MollieSandbox:
    """The portal paying at the emptied live-profile sandbox."""
    live_profile.reset()
    point_portal_at(client, live_profile.url)
    return live_profile


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Until the condition holds (fail after `seconds`)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.05)
        db.session.expire_all()


def latest_payment() -> Payment:
    """The newest payment row, fresh."""
    db.session.expire_all()
    return db.session.scalars(select(Payment).order_by(Payment.id.desc())).first()


def test_a_webhook_that_found_the_portal_down_comes_again_and_settles_the_signup(
    app: Flask, client: FlaskClient, live: MollieSandbox
) -> None:
    walk_to_review(client)
    checkout(start_payment(client), "paid")  # its webhook finds no portal listening
    payment = latest_payment()
    assert payment.status == PaymentStatus.OPEN
    with running_server(app, port=app.config["SERVER_PORT"]):
        wait_for(lambda: latest_payment().status == PaymentStatus.PAID)
    assert db.session.scalars(select(Patron)).one().status == "active"
    assert_ledger_matches_the_sandbox(live)


def test_an_expired_checkout_is_never_reused(
    app: Flask, client: FlaskClient, live: MollieSandbox, portal_server: str
) -> None:
    walk_to_review(client)
    first = start_payment(client)
    live.advance_clock(CHECKOUT_EXPIRY.total_seconds())
    wait_for(lambda: latest_payment().status == PaymentStatus.EXPIRED)
    second = start_payment(client)
    assert second != first and "/checkout/" in second
    assert [p["status"] for p in live.payments()] == ["open", "expired"]
    client.get(checkout(second, "paid"))
    assert_ledger_matches_the_sandbox(live)


def test_a_terminal_payment_left_alone_expires_and_the_debt_can_be_paid_again(
    app: Flask, client: FlaskClient, live: MollieSandbox, portal_server: str
) -> None:
    patron = owing_patron(app, client)
    token = register_kiosk(app, "Kiosk hal", "--terminal", "term_sandboxKiosk1")

    def pay(key: str) -> dict:
        answer = kiosk_payment(client, token, patron, key)
        assert answer.status_code == 201, answer.json
        return answer.json

    first = pay("kiosk-req-1")
    live.advance_clock(TERMINAL_EXPIRY.total_seconds())
    wait_for(lambda: latest_payment().status == PaymentStatus.EXPIRED)
    second = pay("kiosk-req-2")
    assert second["reference"] != first["reference"] and second["amount"] == "12.50"
    live.set_status(latest_payment().provider_id, "paid")
    wait_for(lambda: latest_payment().status == PaymentStatus.PAID)
    assert_ledger_matches_the_sandbox(live)


def test_direct_debit_collections_and_a_refund_end_with_an_exact_ledger(
    app: Flask, client: FlaskClient, live: MollieSandbox, portal_server: str
) -> None:
    first = signed_up(client, "0049", payment_plan="direct_debit")
    subscription = db.session.scalars(select(Subscription)).one()
    for status in ("paid", "failed", "paid"):
        live.charge(subscription.mollie_subscription_id, status)
    wait_for(lambda: len(db.session.scalars(select(Payment)).all()) == 4)
    refunded = app.test_cli_runner().invoke(args=["payments", "refund", first.reference])
    assert refunded.exit_code == 0, refunded.output
    assert_ledger_matches_the_sandbox(live)


def test_a_key_the_profile_does_not_have_stops_paying_with_an_alarm(
    client: FlaskClient, live: MollieSandbox
) -> None:
    point_portal_at(client, live.url, MOLLIE_API_KEY="test_notOneOfTheProfilesKeys")
    walk_to_review(client)
    token = csrf_token(client.get("/word-lid/controle"))
    answer = client.post("/word-lid/betalen", data={"csrf_token": token})
    assert answer.status_code == 503
    assert "Online betalen staat op dit moment uit" in answer.get_data(as_text=True)
    assert live.payments() == []
