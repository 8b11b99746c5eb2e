"""Fixtures of the portal's functional tests."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.kiosk_api import KioskApi, register_kiosk


@pytest.fixture
def kiosk(app: Flask, client: FlaskClient) -> KioskApi:
    """A registered kiosk in Ruinerwold."""
    return KioskApi(client, register_kiosk(app))
