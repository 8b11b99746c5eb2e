"""Walks the signup as a patron's browser would: real forms, CSRF tokens, the sandbox checkout."""

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import requests
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.extensions import db
from shared.models.catalogue import SubscriptionType
from shared.models.payment import Payment

ADULT_BIRTH_DATE = date(1985, 4, 15).isoformat()


def csrf_token(page: TestResponse) -> str:
    """The CSRF token in a rendered form."""
    return csrf_token_in(page.get_data(as_text=True))


def csrf_token_in(html: str) -> str:
    """The CSRF token in a form's HTML."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match[1]


def submit(client: FlaskClient, url: str, data: dict[str, Any]) -> TestResponse:
    """GET the form page, then POST it with its CSRF token."""
    token = csrf_token(client.get(url))
    return client.post(url, data={"csrf_token": token, **data})


def account_data(**changes: str) -> dict[str, str]:
    """A valid login account step."""
    data = {
        "username": "marieke85",
        "email": "marieke@example.nl",
        "password": "vlinder-boekenkast-regen-42",
        "password_confirm": "vlinder-boekenkast-regen-42",
    }
    return {**data, **changes}


def details_data(**changes: Any) -> dict[str, Any]:
    """A valid personal details step."""
    data = {
        "initials": "M.J.",
        "prefix": "van",
        "surname": "Dijk",
        "first_name": "Marieke",
        "birth_date": ADULT_BIRTH_DATE,
        "gender": "vrouw",
        "postcode": "7961 AM",
        "house_number": "12",
        "street": "Dijkhuizen",
        "city": "Ruinerwold",
        "country": "NL",
        "phone": "0612345678",
        "library_email": "",
        "iban": "",
        "branch": "5270",
    }
    return {**data, **changes}


def choose(
    client: FlaskClient, subscription: str = "0045", payment_plan: str | None = None
) -> TestResponse:
    """The first step: a subscription that can be paid in more than one way is paid at once
    unless `payment_plan` says otherwise."""
    choice = {"subscription": subscription}
    if len(db.session.get_one(SubscriptionType, subscription).payment_plans) > 1:
        choice["payment_plan"] = "once"
    if payment_plan:
        choice["payment_plan"] = payment_plan
    return submit(client, "/word-lid", choice)


def walk_to_review(
    client: FlaskClient,
    subscription: str = "0045",
    account: dict | None = None,
    payment_plan: str | None = None,
    **details: Any,
) -> TestResponse:
    """Complete the first three steps; returns the review page."""
    assert choose(client, subscription, payment_plan).status_code == 303
    assert submit(client, "/word-lid/account", account or account_data()).status_code == 303
    response = submit(client, "/word-lid/gegevens", details_data(**details))
    assert response.status_code == 303, response.get_data(as_text=True)
    return client.get("/word-lid/controle")


def start_payment(client: FlaskClient) -> str:
    """Press the pay button; returns the sandbox checkout URL the portal redirected to."""
    token = csrf_token(client.get("/word-lid/controle"))
    response = client.post("/word-lid/betalen", data={"csrf_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def checkout(checkout_url: str, status: str) -> str:
    """Pick the outcome on the sandbox's hosted checkout; returns the path it redirects to."""
    response = requests.post(
        checkout_url, data={"status": status}, allow_redirects=False, timeout=20
    )
    assert response.status_code == 303
    return urlsplit(response.headers["Location"]).path


def paid_without_webhook(client: FlaskClient, sandbox: Any) -> Payment:
    """A signup whose payment the payer completed, but whose webhook never arrived."""
    walk_to_review(client)
    start_payment(client)
    payment = db.session.scalars(select(Payment)).one()
    sandbox.set_status(payment.provider_id, "paid", webhook=False)
    return payment


def signed_up(
    client: FlaskClient,
    subscription: str = "0045",
    payment_plan: str | None = None,
    account: dict | None = None,
) -> Payment:
    """A whole signup, paid at the checkout and seen on the return page; its payment."""
    walk_to_review(client, subscription, account=account, payment_plan=payment_plan)
    client.get(checkout(start_payment(client), "paid"))
    db.session.expire_all()
    return db.session.scalars(select(Payment).order_by(Payment.id.desc())).first()
