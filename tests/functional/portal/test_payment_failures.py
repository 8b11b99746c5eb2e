"""Payment start and status under trouble: provider down, bad answers, double clicks, lost hooks."""

import logging
import threading

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.wiring import now
from shared.models.catalogue import SubscriptionType
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from shared.models.payment import Payment
from shared.payments.provider import ProviderPayment
from shared.payments.service import apply_status
from tests.support.servers import free_port, running_server
from tests.support.signup import csrf_token, paid_without_webhook, start_payment, walk_to_review


def payment_count() -> int:
    """Payment rows."""
    return db.session.scalar(select(func.count()).select_from(Payment))


def broken_provider(body: str, status: int) -> Flask:
    """A server answering every request with the same body and status (a broken Mollie)."""
    broken = Flask("broken_mollie")
    broken.add_url_rule(
        "/v2/<path:path>", view_func=lambda path: (body, status), methods=["GET", "POST"]
    )
    return broken


def press_pay(client: FlaskClient) -> tuple[int, str]:
    """Press the pay button; status and page text."""
    token = csrf_token(client.get("/word-lid/controle"))
    response = client.post("/word-lid/betalen", data={"csrf_token": token})
    return response.status_code, response.get_data(as_text=True)


def test_provider_unreachable_gives_a_calm_page_and_writes_nothing(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    walk_to_review(client)
    client.application.config["MOLLIE_ENDPOINT"] = f"http://127.0.0.1:{free_port()}"
    with caplog.at_level(logging.ERROR):
        status, page = press_pay(client)
    assert status == 503 and "Probeer het over een paar minuten opnieuw" in page
    assert payment_count() == 0
    assert any("registration-" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(("body", "status"), [("<html>Bad gateway</html>", 502), ("not json", 200)])
def test_provider_errors_and_garbage_give_the_same_calm_page(
    app: Flask, client: FlaskClient, body: str, status: int
) -> None:
    walk_to_review(client)
    with running_server(broken_provider(body, status)) as url:
        client.application.config["MOLLIE_ENDPOINT"] = url
        code, _page = press_pay(client)
    assert code == 503 and payment_count() == 0


def test_after_an_outage_the_retry_creates_one_payment(app: Flask, client: FlaskClient) -> None:
    walk_to_review(client)
    sandbox = client.application.config["MOLLIE_ENDPOINT"]
    client.application.config["MOLLIE_ENDPOINT"] = f"http://127.0.0.1:{free_port()}"
    press_pay(client)
    client.application.config["MOLLIE_ENDPOINT"] = sandbox
    assert "/checkout/" in start_payment(client)
    assert payment_count() == 1


def test_double_click_on_pay_makes_one_payment(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    walk_to_review(client)
    token = csrf_token(client.get("/word-lid/controle"))
    cookie = client.get_cookie("session").value
    barrier, locations = threading.Barrier(4), []

    def click() -> None:
        barrier.wait()
        response = requests.post(
            f"{portal_server}/word-lid/betalen",
            data={"csrf_token": token},
            cookies={"session": cookie},
            allow_redirects=False,
            timeout=30,
        )
        locations.append(response.headers.get("Location"))

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert payment_count() == 1
    assert len(set(locations)) == 1 and len(mollie_sandbox.payments()) == 1


def test_lost_webhook_is_caught_by_reconciliation(
    app: Flask, client: FlaskClient, mollie_sandbox
) -> None:
    paid_without_webhook(client, mollie_sandbox)
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert "reconciled 1 payments" in result.output
    assert db.session.scalar(select(func.count()).select_from(Patron)) == 1
    again = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert "reconciled 0 payments" in again.output


def test_status_never_goes_backwards(client: FlaskClient, mollie_sandbox) -> None:
    payment = paid_without_webhook(client, mollie_sandbox)
    client.get(f"/word-lid/betaling/{payment.reference}")
    db.session.expire_all()
    payment = db.session.scalars(select(Payment)).one()
    stale = ProviderPayment(payment.provider_id, "open", None, None)
    assert apply_status(db.session, payment, stale, now()) is None
    assert payment.status == "paid"


def test_webhook_and_return_pages_racing_activate_once(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    payment = paid_without_webhook(client, mollie_sandbox)
    webhook = f"{portal_server}/betalingen/webhook/{payment.reference}/{payment.webhook_secret}"
    result = f"{portal_server}/word-lid/betaling/{payment.reference}"
    barrier, answers = threading.Barrier(6), []

    def hit(method: str, url: str) -> None:
        barrier.wait()
        response = requests.request(method, url, data={"id": payment.provider_id}, timeout=60)
        answers.append(response.status_code)

    calls = [("POST", webhook)] * 3 + [("GET", result)] * 3
    threads = [threading.Thread(target=hit, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 6
    assert db.session.scalar(select(func.count()).select_from(Patron)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 2


def test_an_amount_mollie_does_not_take_says_so_instead_of_try_again(
    client: FlaskClient, mollie_sandbox
) -> None:
    # iDEAL takes at most EUR 50,000 (docs/mollie-sandbox.md); a catalogue can ask more.
    db.session.execute(
        update(SubscriptionType).where(SubscriptionType.code == "0045").values(price=60000)
    )
    db.session.commit()
    walk_to_review(client)
    status, page = press_pay(client)
    assert status == 422
    assert "Dit bedrag kan niet online worden betaald." in page
    assert "paar minuten" not in page
    assert mollie_sandbox.payments() == []
