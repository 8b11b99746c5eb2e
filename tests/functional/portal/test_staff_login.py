"""The staff login through HTTP: the second step's code (wrong, replayed, drifted, throttled,
late), setting up a second factor, the one-time password's change, the session's limits, the
roles at every staff address, and a fresh code before a sensitive page."""

import re
from collections.abc import Callable
from datetime import timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.extensions import db
from shared.accounts.staff import find_by_username
from shared.clock import ManualClock
from tests.support.accounts import create_staff, log_in, member
from tests.support.signup import csrf_token
from tests.support.staff import (
    CHANGE_PASSWORD,
    OWN_PASSWORD,
    SECOND_STEP,
    authenticator_of,
    change_password,
    code_at,
    desk_session,
    enrol,
    staff_member_named,
    type_code,
)

KIOSKS = "/balie/zuilen"
SEARCH = "/balie/klanten"  # where a staff login lands
STAFF_LIST = "/balie/medewerkers"
WRONG = "Deze code klopt niet of is al gebruikt."


def code_error(page: TestResponse) -> str:
    """The text of the code field's error, tied to the field; empty if none."""
    html = page.get_data(as_text=True)
    match = re.search(r'<span class="error" id="code-error">(.*?)</span>\s*<input', html, re.S)
    if match is None:
        return ""
    assert re.search(r'<input[^>]*aria-describedby="[^"]*code-error', html)
    return re.sub(r"<[^>]+>", "", match[1]).replace("Fout:", "").strip()


def staff_paths(app: Flask) -> list[str]:
    """Every GET address under /balie/, its arguments filled in."""
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/balie/") and "GET" in (rule.methods or ()):
            values = {name: 1 if name.endswith("_id") else "x" for name in rule.arguments}
            paths.append(rule.build(values, append_unknown=False)[1])
    return sorted(paths)


def half_logged_in(app: Flask, client: FlaskClient) -> tuple[pyotp.TOTP, str]:
    """A new desk member past the password, at the second step; their authenticator app and
    one-time password."""
    shown = create_staff(app)
    assert log_in(client, "balie", shown["password"]).location == SECOND_STEP
    return pyotp.parse_uri(shown["otpauth_uri"]), shown["password"]


def is_logged_in_staff(client: FlaskClient) -> bool:
    """Whether the staff page opens."""
    return client.get(KIOSKS).status_code == 200


def login_notice(client: FlaskClient, response: TestResponse) -> str:
    """The login page the response sends to, as text (with its notice)."""
    assert response.status_code == 302 and response.location.startswith("/inloggen")
    return client.get(response.location).get_data(as_text=True)


# Roles


def test_anonymous_visitors_are_sent_to_log_in_from_every_staff_address(
    app: Flask, client: FlaskClient
) -> None:
    for path in staff_paths(app):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.location.startswith("/inloggen"), path


def test_a_patron_gets_403_at_every_staff_address(app: Flask, client: FlaskClient) -> None:
    member(client)
    log_in(client, "marieke85")
    for path in staff_paths(app):
        assert client.get(path).status_code == 403, path


def test_the_staff_list_is_for_coordinators(
    app: Flask, new_browser: Callable[[], FlaskClient]
) -> None:
    desk = desk_session(app, new_browser(), "balie", "desk")
    coordinator = desk_session(app, new_browser(), "hoofd", "coordinator")
    assert desk.get(STAFF_LIST).status_code == 403
    assert desk.get(KIOSKS).status_code == 200 and coordinator.get(KIOSKS).status_code == 200
    page = coordinator.get(STAFF_LIST)
    rows = re.split(r"<tr\b", page.get_data(as_text=True))
    balie = next(row for row in rows if ">balie<" in row)
    hoofd = next(row for row in rows if ">hoofd<" in row)
    assert page.status_code == 200
    assert "Baliemedewerker" in balie and "balie@example.nl" in balie and "Ingesteld" in balie
    assert "Coördinator" in hoofd


# The code


def test_the_password_alone_does_not_log_staff_in(app: Flask, client: FlaskClient) -> None:
    half_logged_in(app, client)
    response = client.get(KIOSKS)
    assert response.status_code == 302 and response.location.startswith("/inloggen")
    page = client.get(SECOND_STEP).get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert '<label for="code">' in page and "qr-code" not in page


def test_a_wrong_code_is_refused_at_the_field(app: Flask, client: FlaskClient) -> None:
    authenticator, _ = half_logged_in(app, client)
    wrong = f"{(int(code_at(authenticator)) + 1) % 1_000_000:06d}"
    assert code_error(type_code(client, wrong)).startswith(WRONG)
    assert code_error(type_code(client, "12 34")) == "Typ de 6 cijfers uit je app."
    assert not is_logged_in_staff(client)
    db.session.expire_all()
    account = find_by_username(db.session, "balie")
    assert account is not None and account.last_login_at is None  # the password alone is no login
    type_code(client, code_at(authenticator))
    db.session.expire_all()
    assert find_by_username(db.session, "balie").last_login_at is not None


def test_a_code_is_taken_once(
    app: Flask, client: FlaskClient, new_browser: Callable[[], FlaskClient]
) -> None:
    authenticator, password = half_logged_in(app, client)
    code = code_at(authenticator)
    assert type_code(client, code).location == CHANGE_PASSWORD
    change_password(client, password)
    other = new_browser()
    log_in(other, "balie", OWN_PASSWORD)
    assert code_error(type_code(other, code)).startswith(WRONG)  # replayed in another browser
    assert not is_logged_in_staff(other)


@pytest.mark.parametrize("seconds", [-30, 30])
def test_a_phone_clock_off_by_30_seconds_is_tolerated(
    app: Flask, client: FlaskClient, seconds: int
) -> None:
    authenticator, _ = half_logged_in(app, client)
    assert type_code(client, code_at(authenticator, seconds)).location == CHANGE_PASSWORD


@pytest.mark.parametrize("seconds", [-90, 90])
def test_a_code_90_seconds_off_is_refused(app: Flask, client: FlaskClient, seconds: int) -> None:
    authenticator, _ = half_logged_in(app, client)
    assert code_error(type_code(client, code_at(authenticator, seconds))).startswith(WRONG)


def test_wrong_codes_wait_like_wrong_passwords(
    app: Flask, client: FlaskClient, clock: ManualClock
) -> None:
    authenticator, _ = half_logged_in(app, client)
    for _attempt in range(5):
        type_code(client, "000000" if code_at(authenticator) != "000000" else "111111")
    assert "Probeer het opnieuw na" in code_error(type_code(client, code_at(authenticator)))
    clock.advance(61)
    assert type_code(client, code_at(authenticator)).location == CHANGE_PASSWORD


def test_the_code_must_follow_the_password_within_5_minutes(
    app: Flask, client: FlaskClient, clock: ManualClock
) -> None:
    authenticator, _ = half_logged_in(app, client)
    token = csrf_token(client.get(SECOND_STEP))
    clock.advance(timedelta(minutes=5))
    response = client.post(SECOND_STEP, data={"csrf_token": token, "code": code_at(authenticator)})
    assert "binnen 5 minuten na je wachtwoord" in login_notice(client, response)
    assert not is_logged_in_staff(client)


# Setting up a second factor


def shown_secret(page: str) -> str:
    """The key the second step shows as text to set up an authenticator app."""
    key = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page)
    assert key is not None, "no key to set up"
    return key[1]


def test_a_staff_login_from_before_sets_up_its_second_factor(
    app: Flask, client: FlaskClient, new_browser: Callable[[], FlaskClient], clock: ManualClock
) -> None:
    member(client)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["accounts", "staff-role", "marieke85", "--role=desk"]).exit_code == 0
    staff_member_named("marieke85").totp_secret = None  # as the migration left staff from before
    db.session.commit()
    browser = new_browser()
    assert log_in(browser, "marieke85").location == SECOND_STEP
    page = browser.get(SECOND_STEP).get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page and '<code class="secret">' in page
    secret = shown_secret(page)
    assert shown_secret(browser.get(SECOND_STEP).get_data(as_text=True)) == secret
    with browser.session_transaction() as cookie:  # the secret lives nowhere until it is kept
        assert secret.replace(" ", "") not in repr(dict(cookie))
    elsewhere = new_browser()  # someone else with the password never sees the one kept
    log_in(elsewhere, "marieke85")
    assert shown_secret(elsewhere.get(SECOND_STEP).get_data(as_text=True)) != secret
    assert code_error(type_code(browser, "000000")).startswith(WRONG)
    assert staff_member_named("marieke85").totp_secret is None  # kept once its code is right
    assert enrol(browser).location == SEARCH  # an own password already: nothing to change
    assert is_logged_in_staff(browser)
    clock.advance(31)
    again = new_browser()
    log_in(again, "marieke85")
    assert "qr-code" not in again.get(SECOND_STEP).get_data(as_text=True)
    assert type_code(again, code_at(authenticator_of("marieke85"))).location == SEARCH


# The one-time password


def test_the_one_time_password_is_changed_before_any_staff_page(
    app: Flask, client: FlaskClient
) -> None:
    authenticator, password = half_logged_in(app, client)
    assert type_code(client, code_at(authenticator)).location == CHANGE_PASSWORD
    for path in (KIOSKS, STAFF_LIST):
        assert client.get(path).location == f"{CHANGE_PASSWORD}?next={path}"
    weak = change_password(client, password, "balie12345")
    assert weak.status_code == 200 and client.get(KIOSKS).location.startswith(CHANGE_PASSWORD)
    assert change_password(client, password).status_code == 303
    assert is_logged_in_staff(client)
    assert not staff_member_named("balie").account.password_must_change


# The session's limits


def test_a_staff_session_ends_after_30_idle_minutes(
    app: Flask, client: FlaskClient, clock: ManualClock
) -> None:
    desk_session(app, client)
    for _minutes in range(3):
        clock.advance(timedelta(minutes=29, seconds=59))
        assert is_logged_in_staff(client)
    clock.advance(timedelta(minutes=30))
    response = client.get(KIOSKS)
    assert "na 30 minuten zonder activiteit" in login_notice(client, response)
    assert response.location == f"/inloggen?next={KIOSKS}"
    assert not is_logged_in_staff(client)
    assert client.get("/mijn-account").status_code == 302  # logged out, not just off the desk


def test_an_idle_staff_session_ends_on_the_portals_own_pages_too(
    app: Flask, client: FlaskClient, clock: ManualClock
) -> None:
    desk_session(app, client)
    clock.advance(timedelta(minutes=20))
    assert client.get("/").status_code == 200  # activity, outside the desk
    clock.advance(timedelta(minutes=20))
    assert client.get(KIOSKS).status_code == 200  # 20 minutes since the last page
    clock.advance(timedelta(minutes=30))
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/inloggen")
    assert not is_logged_in_staff(client)


def test_a_staff_session_ends_after_10_hours_however_busy(
    app: Flask, client: FlaskClient, clock: ManualClock
) -> None:
    desk_session(app, client)
    for _quarter in range(39):
        clock.advance(timedelta(minutes=15))
        assert is_logged_in_staff(client)
    clock.advance(timedelta(minutes=15))
    notice = login_notice(client, client.get(KIOSKS))
    assert "duurt hoogstens 10 uur" in notice


def test_the_limits_are_settings(
    app: Flask, portal_instance: Callable[..., Flask], clock: ManualClock
) -> None:
    browser = portal_instance(STAFF_IDLE_MINUTES="5", STAFF_SESSION_HOURS="1").test_client()
    desk_session(app, browser)
    clock.advance(timedelta(minutes=4))
    assert is_logged_in_staff(browser)
    clock.advance(timedelta(minutes=5))
    assert "na 5 minuten zonder activiteit" in login_notice(browser, browser.get(KIOSKS))


# A fresh code before a sensitive page


@pytest.mark.parametrize("sensitive", [STAFF_LIST, "/balie/audit"])
def test_a_sensitive_page_asks_for_the_code_again_after_5_minutes(
    app: Flask, client: FlaskClient, clock: ManualClock, sensitive: str
) -> None:
    desk_session(app, client, "hoofd", "coordinator")
    authenticator = authenticator_of("hoofd")
    assert client.get(sensitive).status_code == 200  # the code of the login is recent
    clock.advance(timedelta(minutes=5, seconds=1))
    asked = client.get(sensitive)
    assert asked.status_code == 302 and asked.location == f"{SECOND_STEP}?next={sensitive}"
    assert is_logged_in_staff(client)  # other pages go on without a code
    page = client.get(asked.location).get_data(as_text=True)
    assert "Hiervoor is je code opnieuw nodig" in page
    assert code_error(type_code(client, "000000", asked.location)).startswith(WRONG)
    assert type_code(client, code_at(authenticator), asked.location).location == sensitive
    assert client.get(sensitive).status_code == 200


def test_after_a_fresh_code_the_way_back_stays_on_the_site(
    app: Flask, client: FlaskClient, clock: ManualClock
) -> None:
    desk_session(app, client)
    authenticator = authenticator_of("balie")
    clock.advance(31)
    path = f"{SECOND_STEP}?next=//evil.example/balie"
    assert type_code(client, code_at(authenticator), path).location == SEARCH
