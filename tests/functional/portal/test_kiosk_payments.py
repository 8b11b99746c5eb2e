"""The kiosk API: device tokens, what is owed, and paying it on the sandbox's PIN terminal."""

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from shared.models.patron import Patron
from shared.models.payment import Payment
from shared.payments import ledger
from tests.support import kiosk_api
from tests.support.kiosk_api import register_kiosk
from tests.support.servers import free_port
from tests.support.signup import signed_up

TERMINAL = "term_sandboxKiosk1"
TERMINAL_EXPIRY_SECONDS = 41  # Mollie lets a terminal wait about 40 seconds for the card
API = "/api/kiosk/v1"


@pytest.fixture
def kiosk(app: Flask, client: FlaskClient) -> Callable[..., object]:
    """Calls the kiosk API as a registered device with a terminal."""
    token = register_kiosk(app, "Kiosk hal", "--terminal", TERMINAL)

    def call(method: str, path: str, key: str | None = None, **body: object) -> object:
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        return client.open(API + path, method=method, headers=headers, json=body or None)

    return call


@pytest.fixture
def owing_patron(app: Flask, client: FlaskClient, mollie_sandbox) -> Patron:
    """A signed-up patron who owes a EUR 12.50 fee."""
    return kiosk_api.owing_patron(app, client)


def test_every_path_needs_a_valid_device_token(app: Flask, client: FlaskClient) -> None:
    token = register_kiosk(app)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": token}):
        response = client.get(f"{API}/patrons/2X1/balance", headers=headers)
        assert response.status_code == 401 and response.json["error"] == "unauthorized"
    app.test_cli_runner().invoke(args=["kiosk", "revoke-device", "1"])
    revoked = client.get(f"{API}/patrons/2X1/balance", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401


def test_balance_shows_the_ledger(kiosk, owing_patron: Patron) -> None:
    body = kiosk("GET", f"/patrons/{owing_patron.customer_number}/balance").json
    assert body["balance"] == "12.50"
    assert [e["type"] for e in body["entries"]] == ["charge", "payment", "charge"]
    assert kiosk("GET", "/patrons/2X00000000/balance").status_code == 404


def test_terminal_payment_paid_settles_the_ledger(
    kiosk,
    owing_patron: Patron,
    mollie_sandbox,
) -> None:
    created = kiosk("POST", "/payments", "kiosk-req-0001", patron=owing_patron.customer_number)
    assert created.status_code == 201 and created.json["amount"] == "12.50"
    payment = db.session.scalars(select(Payment).where(Payment.terminal_id == TERMINAL)).one()
    remote = mollie_sandbox.client().payments.get(payment.provider_id)
    assert (remote.method, remote._get_property("terminalId")) == ("pointofsale", TERMINAL)
    mollie_sandbox.set_status(payment.provider_id, "pending", webhook=False)
    status = kiosk("GET", f"/payments/{payment.reference}")
    assert status.json["status"] == "pending"
    mollie_sandbox.set_status(payment.provider_id, "paid", webhook=False)
    assert kiosk("GET", f"/payments/{payment.reference}").json["status"] == "paid"
    assert ledger.balance(db.session, owing_patron.id) == 0


def test_a_retried_request_returns_the_same_payment(kiosk, owing_patron: Patron) -> None:
    number = owing_patron.customer_number
    first = kiosk("POST", "/payments", "kiosk-req-0002", patron=number, amount="5.00")
    again = kiosk("POST", "/payments", "kiosk-req-0002", patron=number, amount="5.00")
    assert first.json["reference"] == again.json["reference"]
    other = kiosk("POST", "/payments", "kiosk-req-0002", patron=number, amount="6.00")
    assert other.status_code == 422 and other.json["error"] == "request_key_reused"


@pytest.mark.parametrize(
    ("amount", "status", "error"),
    [
        ("12.51", 422, "amount_not_owed"),
        ("0", 422, "amount_not_owed"),
        ("1e3", 400, "bad_request"),
        (12.5, 400, "bad_request"),
    ],
)
def test_only_what_is_owed_can_be_paid(
    kiosk, owing_patron: Patron, amount: object, status: int, error: str
) -> None:
    response = kiosk(
        "POST", "/payments", "kiosk-req-0003", patron=owing_patron.customer_number, amount=amount
    )
    assert response.status_code == status and response.json["error"] == error


def test_nothing_owed_is_refused(kiosk, client: FlaskClient, mollie_sandbox) -> None:
    signed_up(client)
    number = db.session.scalars(select(Patron)).one().customer_number
    response = kiosk("POST", "/payments", "kiosk-req-0004", patron=number)
    assert response.status_code == 422 and response.json["error"] == "nothing_owed"


def test_cancel_while_open_but_not_after_the_card_was_accepted(
    kiosk,
    owing_patron: Patron,
    mollie_sandbox,
) -> None:
    number = owing_patron.customer_number
    open_one = kiosk("POST", "/payments", "kiosk-req-0005", patron=number, amount="2.00").json
    cancelled = kiosk("POST", f"/payments/{open_one['reference']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "canceled"
    busy = kiosk("POST", "/payments", "kiosk-req-0006", patron=number, amount="3.00").json
    payment = db.session.scalars(
        select(Payment).where(Payment.reference == busy["reference"])
    ).one()
    mollie_sandbox.set_status(payment.provider_id, "pending", webhook=False)
    refused = kiosk("POST", f"/payments/{busy['reference']}/cancel")
    assert refused.status_code == 409 and refused.json["error"] == "not_cancelable"
    assert ledger.balance(db.session, owing_patron.id) == Decimal("12.50")


def test_provider_down_answers_503_and_writes_nothing(
    client: FlaskClient, kiosk, owing_patron: Patron
) -> None:
    before = db.session.scalar(select(func.count()).select_from(Payment))
    client.application.config["MOLLIE_ENDPOINT"] = f"http://127.0.0.1:{free_port()}"
    response = kiosk("POST", "/payments", "kiosk-req-0007", patron=owing_patron.customer_number)
    assert response.status_code == 503 and response.json["error"] == "provider_unavailable"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Payment)) == before


def test_a_kiosk_without_terminal_cannot_take_payments(
    app: Flask, client: FlaskClient, owing_patron: Patron
) -> None:
    token = register_kiosk(app)
    response = client.post(
        f"{API}/payments",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "kiosk-req-0008"},
        json={"patron": owing_patron.customer_number},
    )
    assert response.status_code == 422 and response.json["error"] == "no_terminal"


def test_parallel_retries_of_one_request_make_one_payment(
    app: Flask, portal_server: str, owing_patron: Patron, mollie_sandbox
) -> None:
    token = register_kiosk(app, "Kiosk hal", "--terminal", TERMINAL)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "kiosk-req-parallel"}
    references: list[str] = []
    answers: list[int] = []
    body = {"patron": owing_patron.customer_number}

    def post() -> None:
        response = requests.post(
            f"{portal_server}{API}/payments", json=body, headers=headers, timeout=30
        )
        answers.append(response.status_code)
        if response.status_code == 201:
            references.append(response.json()["reference"])

    threads = [threading.Thread(target=post) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(references)) == 1 and len(references) >= 1
    assert set(answers) <= {201, 503}, "a racing duplicate is answered 'try again', never 500"
    pos = [p for p in mollie_sandbox.payments() if p["method"] == "pointofsale"]
    assert len(pos) == 1


def test_another_kiosk_cannot_collect_what_a_terminal_is_collecting(
    app: Flask, client: FlaskClient, kiosk, owing_patron: Patron
) -> None:
    number = owing_patron.customer_number
    assert kiosk("POST", "/payments", "kiosk-req-0009", patron=number).status_code == 201
    token = register_kiosk(app, "Kiosk hal", "--terminal", "term_sandboxKiosk2")
    second = kiosk_api.kiosk_payment(client, token, owing_patron, "kiosk-req-0010")
    assert second.status_code == 422 and second.json["error"] == "nothing_owed"


def test_a_terminal_payment_that_expired_unheard_no_longer_holds_the_debt(
    app: Flask, client: FlaskClient, kiosk, owing_patron: Patron, mollie_sandbox
) -> None:
    number = owing_patron.customer_number
    assert kiosk("POST", "/payments", "kiosk-req-0011", patron=number).status_code == 201
    assert mollie_sandbox.advance_clock(TERMINAL_EXPIRY_SECONDS)  # its webhook reaches nobody
    token = register_kiosk(app, "Kiosk hal", "--terminal", "term_sandboxKiosk2")
    second = kiosk_api.kiosk_payment(client, token, owing_patron, "kiosk-req-0012")
    assert second.status_code == 201 and second.json["amount"] == "12.50"


def test_a_terminal_payment_paid_unheard_is_never_asked_for_again(
    app: Flask, client: FlaskClient, kiosk, owing_patron: Patron, mollie_sandbox
) -> None:
    number = owing_patron.customer_number
    first = kiosk("POST", "/payments", "kiosk-req-0015", patron=number)
    mollie_sandbox.set_status(by_reference(first.json["reference"]).provider_id, "paid")
    token = register_kiosk(app, "Kiosk hal", "--terminal", "term_sandboxKiosk2")
    second = kiosk_api.kiosk_payment(client, token, owing_patron, "kiosk-req-0016")
    assert second.status_code == 422 and second.json["error"] == "nothing_owed"
    app.test_cli_runner().invoke(args=["payments", "reconcile"])
    db.session.expire_all()
    assert ledger.balance(db.session, owing_patron.id) == 0


def test_a_terminal_mollie_does_not_take_is_a_refusal_not_an_outage(
    app: Flask, client: FlaskClient, owing_patron: Patron
) -> None:
    token = register_kiosk(app, "Kiosk hal", "--terminal", "term_sandboxInactive")
    answer = client.post(
        f"{API}/payments",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "kiosk-req-0013"},
        json={"patron": owing_patron.customer_number},
    )
    assert answer.status_code == 422
    assert answer.json == {"error": "payment_refused", "reason": "terminal_unknown"}


def test_an_amount_above_the_terminal_limit_is_refused_with_its_reason(
    app: Flask, kiosk, owing_patron: Patron
) -> None:
    number = owing_patron.customer_number
    charge = ["ledger", "charge", number, "60000.00", "Schade", "--key", "damage-1"]
    assert app.test_cli_runner().invoke(args=charge).exit_code == 0
    answer = kiosk("POST", "/payments", "kiosk-req-0014", patron=number)
    assert answer.status_code == 422
    assert answer.json == {"error": "payment_refused", "reason": "amount_not_accepted"}


def test_a_new_payment_cancels_the_one_left_waiting_on_the_terminal(
    kiosk, owing_patron: Patron, mollie_sandbox
) -> None:
    number = owing_patron.customer_number
    left = kiosk("POST", "/payments", "kiosk-req-0012", patron=number, amount="5.00").json
    new = kiosk("POST", "/payments", "kiosk-req-0013", patron=number)
    assert new.status_code == 201 and new.json["amount"] == "12.50"
    abandoned = by_reference(left["reference"])
    assert abandoned.status == "canceled"
    assert mollie_sandbox.client().payments.get(abandoned.provider_id).status == "canceled"
    assert kiosk("GET", f"/payments/{new.json['reference']}").json["status"] == "open"


def test_a_payment_the_terminal_accepted_is_left_to_finish(
    kiosk, owing_patron: Patron, mollie_sandbox
) -> None:
    number = owing_patron.customer_number
    busy = kiosk("POST", "/payments", "kiosk-req-0014", patron=number, amount="5.00").json
    mollie_sandbox.set_status(by_reference(busy["reference"]).provider_id, "pending", webhook=False)
    new = kiosk("POST", "/payments", "kiosk-req-0015", patron=number)
    assert new.status_code == 201 and new.json["amount"] == "7.50"
    assert kiosk("GET", f"/payments/{busy['reference']}").json["status"] == "pending"


def by_reference(reference: str) -> Payment:
    """Our payment row with this reference, as the database has it now."""
    db.session.expire_all()
    return db.session.scalars(select(Payment).where(Payment.reference == reference)).one()


def test_a_retry_after_paying_returns_the_paid_payment(
    kiosk, owing_patron: Patron, mollie_sandbox
) -> None:
    number = owing_patron.customer_number
    first = kiosk("POST", "/payments", "kiosk-req-0011", patron=number).json
    payment = db.session.scalars(
        select(Payment).where(Payment.reference == first["reference"])
    ).one()
    mollie_sandbox.set_status(payment.provider_id, "paid", webhook=False)
    assert kiosk("GET", f"/payments/{first['reference']}").json["status"] == "paid"
    again = kiosk("POST", "/payments", "kiosk-req-0011", patron=number)
    assert again.status_code == 201
    assert (again.json["reference"], again.json["status"]) == (first["reference"], "paid")
