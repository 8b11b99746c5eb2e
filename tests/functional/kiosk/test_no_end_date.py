"""A subscription without an end (*vast*: Gratis, Leesklik) at the kiosk: written as having no
end date, never as the last day of the calendar."""

from flask import Flask
from flask.testing import FlaskClient

from kiosk.devices import Devices
from portal.extensions import db
from shared.timeutil import NO_END
from tests.support.kiosk_flows import owing_card_holder, tap


def test_the_kiosk_says_a_subscription_without_an_end_has_none(
    app: Flask, client: FlaskClient, kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    patron = owing_card_holder(app, client)
    patron.subscriptions[0].end_date = NO_END
    db.session.commit()
    kiosk = kiosk_app.test_client()
    assert tap(kiosk, kiosk_devices) == "/pas"
    overview = kiosk.get("/pas").get_data(as_text=True)
    assert "geen einddatum" in overview and "9999" not in overview
