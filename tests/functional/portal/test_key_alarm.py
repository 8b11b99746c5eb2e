"""A key Mollie refuses (401) is an alarm, not an outage: raised and logged once, shown to staff,
payments refused at once without asking Mollie (patrons see paying switched off, the kiosk sends
them to the desk, reconcile asks nothing), and the key tried again every 15 minutes."""

import logging
from collections.abc import Callable, Iterator

import pytest
from flask import Flask, jsonify
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.settlement import reconcile
from shared.clock import ManualClock
from shared.models.provider_alarm import ProviderAlarm
from shared.payments.key_alarm import PROBE_EVERY
from tests.support.kiosk_api import kiosk_payment, owing_patron, register_kiosk
from tests.support.mollie_sandbox import MollieSandbox, point_portal_at
from tests.support.servers import running_server
from tests.support.signup import csrf_token, signed_up, start_payment, walk_to_review
from tests.support.staff import desk_session

# Mollie's answer to a wrong or revoked key (mollie-api-python's fixture error_unauthorized.json).
UNAUTHORIZED = {
    "_links": {
        "documentation": {
            "href": "https://docs.mollie.com/guides/authentication",
            "type": "text/html",
        }
    },
    "detail": "Missing authentication, or failed to authenticate",
    "status": 401,
    "title": "Unauthorized Request",
}


class RefusingMollie:
    """A Mollie that refuses our key on every request, counting them."""

    def __init__(self) -> None:
        self.requests = 0
        self.url = ""
        self.app = Flask("refusing_mollie")
        self.app.add_url_rule(
            "/v2/<path:path>", view_func=self.refuse, methods=["GET", "POST", "DELETE"]
        )

    def refuse(self, path: str) -> tuple[object, int]:
        """401 with Mollie's body."""
        self.requests += 1
        return jsonify(UNAUTHORIZED), 401


@pytest.fixture
def refusing(app: Flask) -> Iterator[RefusingMollie]:
    """A Mollie that refuses the portal's key; `refuse_key` points the portal at it."""
    mollie = RefusingMollie()
    with running_server(mollie.app) as url:
        mollie.url = url
        yield mollie


def press_pay(client: FlaskClient) -> tuple[int, str]:
    """Press the pay button of the signup; status and page."""
    token = csrf_token(client.get("/word-lid/controle"))
    response = client.post("/word-lid/betalen", data={"csrf_token": token})
    return response.status_code, response.get_data(as_text=True)


def critical(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The CRITICAL lines logged."""
    return [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]


def test_a_refused_key_stops_paying_once_and_asks_mollie_no_more(
    app: Flask, client: FlaskClient, refusing: RefusingMollie, caplog: pytest.LogCaptureFixture
) -> None:
    walk_to_review(client)
    point_portal_at(client, refusing.url)
    with caplog.at_level(logging.WARNING):
        first, page = press_pay(client)
        second, _ = press_pay(client)
    assert (first, second) == (503, 503)
    assert "Online betalen staat op dit moment uit" in page
    assert "paar minuten" not in page
    assert refusing.requests == 1
    assert len(critical(caplog)) == 1 and "MOLLIE_API_KEY" in critical(caplog)[0]
    assert db.session.scalars(select(ProviderAlarm)).one().detail.startswith("UnauthorizedError")


def test_staff_see_the_alarm(
    app: Flask,
    client: FlaskClient,
    refusing: RefusingMollie,
    new_browser: Callable[[], FlaskClient],
) -> None:
    walk_to_review(client)
    point_portal_at(client, refusing.url)
    press_pay(client)
    staff = desk_session(app, new_browser())
    page = staff.get("/balie/zuilen").get_data(as_text=True)
    assert "Betalen staat stil: Mollie weigert de API-sleutel." in page


def test_the_key_is_tried_again_every_15_minutes_and_paying_resumes(
    app: Flask,
    client: FlaskClient,
    refusing: RefusingMollie,
    mollie_sandbox: MollieSandbox,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    walk_to_review(client)
    point_portal_at(client, refusing.url)
    press_pay(client)
    clock.advance(PROBE_EVERY)
    press_pay(client)
    assert refusing.requests == 2  # the try that was due, refused again
    point_portal_at(client, mollie_sandbox.url)  # the key works again
    assert press_pay(client)[0] == 503  # not tried before the next 15 minutes
    clock.advance(PROBE_EVERY)
    with caplog.at_level(logging.WARNING):
        assert "/checkout/" in start_payment(client)
    assert db.session.scalars(select(ProviderAlarm)).first() is None
    assert any("accepts the API key again" in r.getMessage() for r in caplog.records)


def test_reconcile_asks_nothing_while_the_key_is_refused(
    app: Flask, client: FlaskClient, refusing: RefusingMollie, caplog: pytest.LogCaptureFixture
) -> None:
    walk_to_review(client)
    start_payment(client)  # an open payment, for reconcile to ask about
    point_portal_at(client, refusing.url)
    press_pay(client)  # asks about the open payment: refused, the alarm is raised
    asked = refusing.requests
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        assert reconcile() == 0
    assert refusing.requests == asked
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_kiosk_sends_the_patron_to_the_desk(
    app: Flask, client: FlaskClient, refusing: RefusingMollie
) -> None:
    patron = owing_patron(app, client)
    token = register_kiosk(app, "Kiosk hal", "--terminal", "term_sandboxKiosk1")
    point_portal_at(client, refusing.url)
    answer = kiosk_payment(client, token, patron, "kiosk-req-1")
    assert answer.status_code == 503 and answer.json["error"] == "payments_stopped"
    assert db.session.scalars(select(ProviderAlarm)).one()  # written after the kiosk's rollback


def test_a_try_of_the_key_that_mollie_answers_with_a_refusal_ends_the_alarm(
    app: Flask,
    client: FlaskClient,
    refusing: RefusingMollie,
    mollie_sandbox: MollieSandbox,
    clock: ManualClock,
) -> None:
    patron = owing_patron(app, client)
    charge = ["ledger", "charge", patron.customer_number, "60000.00", "Schade", "--key", "d-1"]
    assert app.test_cli_runner().invoke(args=charge).exit_code == 0
    token = register_kiosk(app, "Kiosk hal", "--terminal", "term_sandboxKiosk1")
    point_portal_at(client, refusing.url)
    assert kiosk_payment(client, token, patron, "kiosk-req-1").status_code == 503
    point_portal_at(client, mollie_sandbox.url)  # the key works again
    clock.advance(PROBE_EVERY)
    refused = kiosk_payment(client, token, patron, "kiosk-req-2")
    assert refused.json == {"error": "payment_refused", "reason": "amount_not_accepted"}
    assert db.session.scalars(select(ProviderAlarm)).first() is None


def test_a_command_says_the_key_is_refused_not_that_mollie_is_down(
    app: Flask, client: FlaskClient, refusing: RefusingMollie
) -> None:
    payment = signed_up(client)
    point_portal_at(client, refusing.url)
    refund = app.test_cli_runner().invoke(args=["payments", "refund", payment.reference])
    assert refund.exit_code == 1
    assert "Mollie refuses the API key" in refund.output and "MOLLIE_API_KEY" in refund.output
