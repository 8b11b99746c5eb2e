"""The page that waits for a payment's confirmation moves on by itself once it is confirmed."""

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from shared.models.payment import Payment
from tests.support.browser import TIMEOUT_MS, axe_violations, chromium
from tests.support.signup import checkout, start_payment, walk_to_review


@pytest.mark.browser
def test_the_waiting_page_shows_the_paid_page_once_the_bank_confirms(
    client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    walk_to_review(client)
    waiting = checkout(start_payment(client), "open")
    payment = db.session.scalars(select(Payment)).one()
    with chromium() as browser:
        context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(portal_server + waiting)
        expect(page.get_by_role("heading", level=1)).to_contain_text("wachten")
        assert axe_violations(page) == []
        mollie_sandbox.set_status(payment.provider_id, "paid")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
        context.close()
