"""A token exchange asks the database little, counted on a real database: an added lazy load or
query shows here (an exchange once took twelve statements, the claims seven of them)."""

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from shared.clock import ManualClock
from shared.models.account import LoginAccount
from shared.oidc.claims import user_claims
from tests.support import accounts
from tests.support.factories import create_account, create_patron
from tests.support.oidc import ALL_SCOPES, add_service, code_for, exchange, tokens_for
from tests.support.query_plans import captured

EVERY_KIND = ("SELECT", "INSERT", "UPDATE", "DELETE")
# The client; the code with its login; the access token stored; the code used up; then the
# claims: the patrons with their branch, subscriptions and their types; the `sub`; the number.
EXCHANGE_STATEMENTS = 7
CLAIMS_STATEMENTS = 3


def shown(statements: list[tuple[str, Any]]) -> str:
    """The statements, one a line, to read when the count is off."""
    return "\n".join(" ".join(statement.split())[:120] for statement, _ in statements)


def test_a_token_exchange_takes_at_most_seven_statements(app: Flask, client: FlaskClient) -> None:
    service = add_service(app)
    patron = accounts.member(client)
    assert accounts.log_in(client, patron.customer_number).status_code == 303
    tokens_for(client, service)  # the first exchange also makes the patron's `sub`
    code = code_for(client, service["client_id"])
    with captured(EVERY_KIND) as statements:
        answer = exchange(client, code, (service["client_id"], service["client_secret"]))
    assert answer.status_code == 200, answer.json
    assert len(statements) <= EXCHANGE_STATEMENTS, shown(statements)


def test_the_claims_take_three_statements_however_many_records_a_login_has(
    app: Flask, clock: ManualClock
) -> None:
    account = create_account(db.session, clock.now(), confirmed=True)
    for _ in range(3):  # home and guest libraries, each with a subscription
        create_patron(db.session, account, clock.now(), subscription="0045")
    user_claims(db.session, account, ALL_SCOPES, clock.now())  # makes the `sub`
    db.session.commit()  # forgets what was loaded: the claims read it all again
    account = db.session.get_one(LoginAccount, account.id)
    with captured(EVERY_KIND) as statements:
        claims = user_claims(db.session, account, ALL_SCOPES, clock.now())
    assert claims["library"]["subscription_valid"]
    assert len(statements) <= CLAIMS_STATEMENTS, shown(statements)
