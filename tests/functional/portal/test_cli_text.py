"""The command line is an entrance too: names and descriptions typed there are refused when they
hold control or direction characters or do not fit their column, and nothing is stored."""

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from shared.models.kiosk import KioskDevice
from shared.models.ledger import LedgerEntry
from shared.models.oidc import OidcClient
from tests.support.accounts import member

SPOILED = ["Kiosk\u202e\x1b[2J", "x" * 300, "\u200b"]


@pytest.mark.parametrize("name", SPOILED)
def test_kiosk_and_service_names_are_text(app: Flask, name: str) -> None:
    runner = app.test_cli_runner()
    kiosk = runner.invoke(args=["kiosk", "add-device", name, "--branch", "5270"])
    uri = "https://dienst.example/terug"
    service = runner.invoke(args=["oidc", "add-client", "--name", name, "--redirect-uri", uri])
    for result in (kiosk, service):
        assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    for model in (KioskDevice, OidcClient):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0


@pytest.mark.parametrize("description", SPOILED)
def test_a_charge_s_description_is_text(
    app: Flask,
    client: FlaskClient,
    mollie_sandbox,
    description: str,  # noqa: ANN001
) -> None:
    patron = member(client)
    entries = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    args = ["ledger", "charge", patron.customer_number, "12.50", description, "--key", "k"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == entries
