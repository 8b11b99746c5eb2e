"""Money at the desk as a test drives it: desks made by the CLI, the desk chosen in a staff
session, and the forms to take, waive and refund, sent with their CSRF token and request key."""

import json
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.extensions import db
from shared.models.desk import Desk
from shared.models.patron import Patron
from shared.models.payment import Payment
from tests.support.signup import csrf_token, csrf_token_in
from tests.support.staff import desk_session

# The sandbox's second terminal: the kiosks of the tests pay on the first.
DESK_TERMINAL = "term_sandboxKiosk2"


def add_desk(app: Flask, code: str = "BALIE-HAL", *extra: str, branch: str = "5270") -> Desk:
    """A desk in a branch (Ruinerwold by default), added by `desk add`."""
    args = ["desk", "add", code, "--name", f"Balie {code}", "--branch", branch, *extra]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return db.session.scalars(select(Desk).where(Desk.code == code)).one()


def choose_desk(browser: FlaskClient, desk: Desk) -> TestResponse:
    """Choose the desk the staff member works at."""
    token = csrf_token(browser.get("/balie/balie-kiezen"))
    return browser.post("/balie/balie-kiezen", data={"csrf_token": token, "desk": str(desk.id)})


def staff_at(
    app: Flask, browser: FlaskClient, desk: Desk, username: str, role: str = "desk"
) -> FlaskClient:
    """A staff member of a role, logged in on `browser` and working at the desk."""
    desk_session(app, browser, username, role)
    assert choose_desk(browser, desk).status_code == 303
    return browser


def money_page(patron: Patron, page: str = "betalen") -> str:
    """The path of one of the patron's money pages."""
    return f"/balie/klanten/{patron.customer_number}/{page}"


def filled(browser: FlaskClient, path: str) -> dict[str, str]:
    """The hidden fields of the form at `path` (its CSRF token and request key)."""
    html = browser.get(path).get_data(as_text=True)
    key = re.search(r'name="request_key" type="hidden" value="([^"]*)"', html)
    return {"csrf_token": csrf_token_in(html), "request_key": key[1] if key else ""}


def take(browser: FlaskClient, patron: Patron, **fields: str) -> TestResponse:
    """Fill in the take-a-payment form and send it."""
    path = money_page(patron)
    return browser.post(path, data={**filled(browser, path), **fields})


def waive(browser: FlaskClient, patron: Patron, **fields: str) -> TestResponse:
    """Fill in the waive form and send it."""
    path = money_page(patron, "kwijtschelden")
    return browser.post(path, data={**filled(browser, path), **fields})


def refund(browser: FlaskClient, patron: Patron, payment: Payment, **fields: str) -> TestResponse:
    """Fill in the refund form of a payment and send it."""
    path = money_page(patron, f"terugbetalen/{payment.reference}")
    return browser.post(path, data={**filled(browser, path), **fields})


def charge(app: Flask, patron: Patron, amount: str, description: str, key: str) -> None:
    """Charge the patron through `ledger charge`."""
    args = ["ledger", "charge", patron.customer_number, amount, description, "--key", key]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output


def day_report_json(app: Flask, day: str, *extra: str) -> dict:
    """`desk day-report --date DAY --json`, parsed."""
    result = app.test_cli_runner().invoke(
        args=["desk", "day-report", "--date", day, *extra, "--json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)
