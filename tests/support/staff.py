"""Staff at the desk: a staff member made by the command and logged in to a test client."""

from flask import Flask
from flask.testing import FlaskClient

from tests.support.accounts import create_staff, log_in


def desk_session(
    app: Flask, client: FlaskClient, username: str = "balie", role: str = "desk"
) -> FlaskClient:
    """A staff member of this role, made and logged in on `client` (every step the desk's
    login asks for); the client."""
    password = create_staff(app, username, f"{username}@example.nl", role)
    assert log_in(client, username, password).status_code == 303
    return client
