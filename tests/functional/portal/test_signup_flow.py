"""The whole signup through the test client, paying at the real sandbox over HTTP."""

from email import policy
from email.parser import BytesParser

from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from portal.wiring import now, webhook_signature
from shared.mail.transport import FileTransport
from shared.mail.worker import send_pending_committing
from shared.models.mail import OutboxMail
from shared.models.patron import Patron
from shared.models.payment import Payment, PaymentStatus, new_reference
from shared.models.registration import Registration
from shared.timeutil import local_today
from tests.support.mollie_sandbox import MollieSandbox
from tests.support.signup import (
    checkout,
    csrf_token,
    paid_without_webhook,
    start_payment,
    walk_to_review,
)


def count(model: type) -> int:
    """Rows of a model."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_subscriptions_offered_online_are_listed_with_price_and_term(client: FlaskClient) -> None:
    page = client.get("/word-lid").get_data(as_text=True)
    for name in ("Basis", "Basis (maand-incasso)", "Compleet", "Digital only", "Maandabonnement"):
        assert name in page
    assert "€\xa058,00" in page and "per jaar" in page
    assert "Start" not in page and "Jeugd" not in page


def test_paid_signup_creates_one_patron_and_queues_three_mails(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    walk_to_review(client, library_email="m.dijk@werk.example.nl")
    return_path = checkout(start_payment(client), "paid")
    assert mollie_sandbox.webhook_log[-1]["status"] == 200

    page = client.get(return_path).get_data(as_text=True)
    assert "Welkom" in page
    patron = db.session.scalars(select(Patron)).one()
    assert patron.temporary_number.startswith("2X") and patron.lending_blocked
    assert patron.subscriptions[0].end_date.month == local_today(now()).month
    kinds = sorted(db.session.scalars(select(OutboxMail.kind)))
    assert kinds == ["confirm_account", "confirm_library_email", "welcome"]


def test_failed_then_retry_from_review_then_paid(client: FlaskClient, portal_server: str) -> None:
    walk_to_review(client)
    failed_page = client.get(checkout(start_payment(client), "failed")).get_data(as_text=True)
    assert "niet gelukt" in failed_page
    review = client.get("/word-lid/controle").get_data(as_text=True)
    assert "Je vorige betaling is niet gelukt" in review and "Dijk" in review
    second = start_payment(client)
    client.get(checkout(second, "paid"))
    assert [p.status for p in db.session.scalars(select(Payment).order_by(Payment.id))] == [
        "failed",
        "paid",
    ]
    assert count(Patron) == 1


def test_abandoned_payment_is_resumed_not_duplicated(
    client: FlaskClient, portal_server: str
) -> None:
    walk_to_review(client)
    first = start_payment(client)
    assert start_payment(client) == first
    assert count(Payment) == 1


def test_return_page_while_open_says_waiting_not_failed(client: FlaskClient) -> None:
    walk_to_review(client)
    path = checkout(start_payment(client), "open")
    page = client.get(path).get_data(as_text=True)
    assert "wachten" in page.lower() and "niet gelukt" not in page


def test_return_page_works_in_another_browser(client: FlaskClient, new_browser) -> None:  # noqa: ANN001
    walk_to_review(client)
    path = checkout(start_payment(client), "paid")
    other_browser = new_browser()
    page = other_browser.get(path).get_data(as_text=True)
    assert "Welkom" in page and "Dijk" not in page and "marieke" not in page
    assert count(Patron) == 1


def test_webhook_before_return_page_and_duplicates_activate_once(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    walk_to_review(client)
    path = checkout(start_payment(client), "paid")
    payment = db.session.scalars(select(Payment)).one()
    url = f"/betalingen/webhook/{payment.reference}/{payment.webhook_secret}"
    for _ in range(3):
        assert client.post(url, data={"id": payment.provider_id}).status_code == 200
    client.get(path)
    client.get(path)
    assert count(Patron) == 1 and count(OutboxMail) == 2


def test_return_page_before_webhook_then_late_webhook(client: FlaskClient, mollie_sandbox) -> None:
    payment = paid_without_webhook(client, mollie_sandbox)
    assert "Welkom" in client.get(f"/word-lid/betaling/{payment.reference}").get_data(as_text=True)
    url = f"/betalingen/webhook/{payment.reference}/{payment.webhook_secret}"
    assert client.post(url, data={"id": payment.provider_id}).status_code == 200
    assert count(Patron) == 1 and count(OutboxMail) == 2


def test_forged_webhook_is_refused_and_unknown_ids_get_200(client: FlaskClient) -> None:
    walk_to_review(client)
    start_payment(client)
    payment = db.session.scalars(select(Payment)).one()
    forged = client.post(
        f"/betalingen/webhook/{payment.reference}/wrong-secret", data={"id": payment.provider_id}
    )
    assert forged.status_code == 403
    unknown = client.post("/betalingen/webhook/nope/nope", data={"id": "tr_unknown"})
    assert unknown.status_code == 200


def test_a_webhook_before_its_payment_is_stored_asks_mollie_to_come_again(
    client: FlaskClient, mollie_sandbox: MollieSandbox
) -> None:
    walk_to_review(client)
    reference = new_reference()
    early = f"/betalingen/webhook/{reference}/{webhook_signature(reference)}"
    assert client.post(early, data={"id": "tr_x"}).status_code == 503
    unsigned = f"/betalingen/webhook/{reference}/{'0' * 32}"
    assert client.post(unsigned, data={"id": "tr_x"}).status_code == 200  # not ours: no retry
    start_payment(client)
    payment = db.session.scalars(select(Payment)).one()
    mollie_sandbox.set_status(payment.provider_id, "paid", webhook=False)
    hook = f"/betalingen/webhook/{payment.reference}/{payment.webhook_secret}"
    assert client.post(hook, data={"id": payment.provider_id}).status_code == 200
    db.session.refresh(payment)
    assert payment.status == PaymentStatus.PAID


def test_reload_and_back_keep_everything_typed(client: FlaskClient) -> None:
    walk_to_review(client)
    details = client.get("/word-lid/gegevens").get_data(as_text=True)
    assert 'value="Dijkhuizen"' in details and 'value="1985-04-15"' in details
    account = client.get("/word-lid/account").get_data(as_text=True)
    assert 'value="marieke85"' in account
    choose = client.get("/word-lid").get_data(as_text=True)
    assert 'value="0045"\n        \n        checked' in choose or "checked" in choose
    assert count(Registration) == 1


def test_digital_only_gets_system_number_and_no_card_text(
    client: FlaskClient, portal_server: str, tmp_path
) -> None:
    walk_to_review(client, subscription="0141")
    client.get(checkout(start_payment(client), "paid"))
    patron = db.session.scalars(select(Patron)).one()
    assert patron.system_number.startswith("DO") and patron.temporary_number is None
    send_pending_committing(db.session, FileTransport(tmp_path), now=now())
    welcome = [m for m in db.session.scalars(select(OutboxMail)) if m.kind == "welcome"][0]
    message = BytesParser(policy=policy.default).parsebytes(welcome.message)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert patron.system_number in text and "pas" not in text.split("Digital only")[1][:60]
    assert "legitimatiebewijs" not in text


def test_payment_that_expired_unnoticed_is_replaced_on_the_next_click(
    client: FlaskClient, mollie_sandbox
) -> None:
    walk_to_review(client)
    first = start_payment(client)
    payment = db.session.scalars(select(Payment)).one()
    mollie_sandbox.set_status(payment.provider_id, "expired", webhook=False)
    second = start_payment(client)
    assert second != first and "/checkout/" in second
    db.session.expire_all()
    statuses = [p.status for p in db.session.scalars(select(Payment).order_by(Payment.id))]
    assert statuses == ["expired", "open"]


def test_payment_paid_unnoticed_is_not_paid_twice(client: FlaskClient, mollie_sandbox) -> None:
    payment = paid_without_webhook(client, mollie_sandbox)
    token = csrf_token(client.get("/word-lid/controle"))
    response = client.post("/word-lid/betalen", data={"csrf_token": token})
    assert response.headers["Location"].endswith(f"/word-lid/betaling/{payment.reference}")
    assert count(Payment) == 1 and count(Patron) == 1
