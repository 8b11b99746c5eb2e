"""The signup page keeps the offered subscriptions between requests, and shows a catalogue loaded
by any other process (the `catalogue load` command) within a second."""

import subprocess
import sys
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from shared.catalogue.loader import DEFAULT_CATALOGUE
from shared.catalogue.offer import RECHECK_SECONDS
from shared.clock import ManualClock
from shared.paths import PROJECT_ROOT
from tests.support.query_plans import captured

BASIC = 'names = { nl = "Basis", en = "Basic" }'


def renamed_basic(tmp_path: Path) -> Path:
    """The demo catalogue with the Basic subscription under another name."""
    text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    assert BASIC in text
    path = tmp_path / "renamed.toml"
    path.write_text(text.replace(BASIC, 'names = { nl = "Basis Royaal", en = "Basic Plenty" }'))
    return path


def load_in_another_process(app: Flask, path: Path) -> None:
    """`flask catalogue load FILE` as an operator runs it: its own process, the same database."""
    config = {name: app.config[name] for name in ("DATABASE_URL", "SECRET_KEY", "PUBLIC_URL")}
    factory = f"portal:create_app({ {**config, 'INSTANCE_PATH': app.instance_path}!r})"
    command = [sys.executable, "-m", "flask", "--app", factory, "catalogue", "load", str(path)]
    loaded = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr


def read_by(client: FlaskClient, path: str) -> str:
    """The SQL a GET of the page sends, as one text."""
    with captured() as statements:
        assert client.get(path).status_code == 200
    return " ".join(statement for statement, _ in statements)


def test_the_signup_page_asks_for_the_catalogue_version_once_a_second(
    client: FlaskClient, clock: ManualClock
) -> None:
    assert "subscription_type" in read_by(client, "/word-lid")
    assert read_by(client, "/word-lid") == ""
    clock.advance(RECHECK_SECONDS)
    read = read_by(client, "/word-lid")
    assert "catalogue_version" in read
    assert "subscription_type" not in read


def test_a_catalogue_loaded_by_another_process_shows_within_a_second(
    app: Flask, client: FlaskClient, tmp_path: Path, clock: ManualClock
) -> None:
    assert "Basis</strong>" in client.get("/word-lid").get_data(as_text=True)
    load_in_another_process(app, renamed_basic(tmp_path))
    clock.advance(RECHECK_SECONDS)
    page = client.get("/word-lid").get_data(as_text=True)
    assert "Basis Royaal</strong>" in page
    assert "Basis</strong>" not in page
