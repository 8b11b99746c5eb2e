"""GET /healthz, which the image's HEALTHCHECK and a load balancer ask: the database in one
cheap query, JSON, and nothing a browser would keep."""

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from portal import create_app


def test_health_check_answers_json_and_sets_no_cookie(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}
    assert "Set-Cookie" not in response.headers


def test_health_check_answers_503_when_the_database_does_not(app: Flask, tmp_path: Path) -> None:
    unreachable = f"sqlite:///{tmp_path / 'no-such-folder' / 'portal.sqlite3'}"
    broken = create_app({**app.config, "DATABASE_URL": unreachable}, app.extensions["clock"])
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "OperationalError"}
