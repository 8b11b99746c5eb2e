"""The desk's pages in the header: which ones each role sees, the page shown marked as current,
`/balie/` as the desk's start, and nothing asked of the database for a patron's header."""

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.support.accounts import log_in, member
from tests.support.query_plans import captured
from tests.support.staff import desk_session

SEARCH = "/balie/klanten"
DESK_LINKS = [
    ("/balie/klanten", "Klant zoeken"),
    ("/balie/klanten/nieuw", "Nieuwe klant"),
    ("/balie/gastleners/nieuw", "Nieuwe gastlener"),
    ("/balie/brieven", "Brieven"),
    ("/balie/zuilen", "Zuilen"),
    ("/balie/dagrapport", "Dagrapport"),
]
COORDINATOR_LINKS = [("/balie/audit", "Auditlog"), ("/balie/medewerkers", "Medewerkers")]


def desk_nav(client: FlaskClient, path: str) -> list[tuple[str, str, bool]]:
    """The header's desk links on the page: address, name, and whether marked current."""
    html = client.get(path).get_data(as_text=True)
    nav = re.search(r'<nav class="desk-nav" aria-label="Balie">(.*?)</nav>', html, re.S)
    if nav is None:
        return []
    links = re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav[1])
    return [(href, name, bool(current)) for href, current, name in links]


def test_a_desk_member_moves_between_the_desk_pages(app: Flask, client: FlaskClient) -> None:
    desk_session(app, client)
    assert desk_nav(client, SEARCH) == [(href, name, href == SEARCH) for href, name in DESK_LINKS]
    current = [href for href, _, now in desk_nav(client, "/balie/klanten/nieuw") if now]
    assert current == ["/balie/klanten/nieuw"]
    assert [href for href, _, now in desk_nav(client, "/balie/zuilen") if now] == ["/balie/zuilen"]


def test_a_coordinator_also_finds_the_audit_log_and_the_staff(
    app: Flask, client: FlaskClient
) -> None:
    desk_session(app, client, "hoofd", "coordinator")
    links = desk_nav(client, "/balie/audit")
    assert [(href, name) for href, name, _ in links] == DESK_LINKS + COORDINATOR_LINKS
    assert [href for href, _, now in links if now] == ["/balie/audit"]


def test_the_desk_starts_at_the_search(app: Flask, new_browser: Callable[[], FlaskClient]) -> None:
    desk = desk_session(app, new_browser())
    assert desk.get("/balie/").location == SEARCH
    patron = new_browser()
    member(patron)
    log_in(patron, "marieke85")
    assert patron.get("/balie/").status_code == 403
    assert new_browser().get("/balie/").location.startswith("/inloggen")


def test_a_patron_sees_no_desk_pages_and_costs_no_staff_query(
    app: Flask, client: FlaskClient
) -> None:
    member(client)
    log_in(client, "marieke85")
    with captured() as statements:
        assert desk_nav(client, "/mijn-account") == []
    assert statements and not [sql for sql, _ in statements if "staff_member" in sql]
