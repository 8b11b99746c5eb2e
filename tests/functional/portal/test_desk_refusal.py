"""Refusing a patron at the desk through HTTP: the desk makes a subscription invalid and lifts
it; a blacklist is a coordinator's with a fresh code; every change in the audit log and on the
patron screen, with the reason, who and when."""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.wiring import now
from shared.clock import ManualClock
from shared.desk.audit import entries
from shared.models.patron import Patron, Subscription
from shared.models.patron import SubscriptionStatus as Status
from tests.support.factories import create_patron
from tests.support.signup import csrf_token_in
from tests.support.staff import (
    SECOND_STEP,
    authenticator_of,
    code_at,
    desk_session,
    lending,
    lift,
    page_of,
    refuse,
    screen,
    section,
    text_of,
    type_code,
)

SET_BY = r"\(vastgelegd door {staff} op \d\d-\d\d-\d{{4}}, \d\d:\d\d\)"


@pytest.fixture
def desk(app: Flask, new_browser: Callable[[], FlaskClient]) -> FlaskClient:
    """A browser in which a desk member ("balie") logged in."""
    return desk_session(app, new_browser())


@pytest.fixture
def coordinator(app: Flask, new_browser: Callable[[], FlaskClient]) -> FlaskClient:
    """A browser in which a coordinator ("hoofd") logged in."""
    return desk_session(app, new_browser(), "hoofd", "coordinator")


@pytest.fixture
def patron() -> Patron:
    """A patron with a Basis subscription from today."""
    patron = create_patron(db.session, None, now(), subscription="0045")
    db.session.commit()
    return patron


def status_of(patron: Patron) -> Subscription:
    """The patron's subscription as stored now."""
    db.session.expire_all()
    return db.session.get_one(Patron, patron.id).subscriptions[0]


def test_the_desk_makes_a_subscription_invalid_and_lifts_it(
    desk: FlaskClient, patron: Patron
) -> None:
    html = desk.get(page_of(patron)).get_data(as_text=True)
    assert 'value="invalid"' in html and 'value="blacklisted"' not in html
    assert '<label for="reason">Reden</label>' in html and "de klant ziet dit nooit" in html
    token = csrf_token_in(html)
    unchosen = desk.post(page_of(patron), data={"csrf_token": token, "seen": "normal"})
    assert unchosen.status_code == 200
    unchosen_text = text_of(unchosen.get_data(as_text=True))
    assert "Weigering: Dit veld is verplicht. Reden: Dit veld is verplicht." in unchosen_text
    empty = refuse(desk, patron, "invalid", "  ")
    assert empty.status_code == 200 and status_of(patron).status == Status.NORMAL
    page = empty.get_data(as_text=True)
    assert 'aria-describedby="reason-hint reason-error"' in page
    assert '<a href="#reason">Reden: Dit is verplicht: typ letters of cijfers' in page
    done = refuse(desk, patron, "invalid", "Post komt retour")
    assert done.status_code == 303 and done.location == f"/balie/klanten/{patron.temporary_number}"
    after = screen(desk, patron.temporary_number)
    assert f"Het abonnement van {patron.display_name} is nu ongeldig." in after
    notice = lending(after)
    assert "Het abonnement is ongeldig gemaakt. Reden: Post komt retour" in notice
    assert re.search(SET_BY.format(staff="balie"), notice)
    assert "Ongeldig" in section(after, "subscriptions")
    assert "balie Abonnement ongeldig gemaakt of klant op de zwarte lijst gezet" in section(
        after, "staff-actions"
    )
    assert lift(desk, patron, "invalid").status_code == 303
    assert (status_of(patron).status, status_of(patron).status_reason) == (Status.NORMAL, "")
    assert "Lenen is geblokkeerd Nog geen pas" in lending(screen(desk, patron.temporary_number))
    changes = [
        (e.action, e.staff_username, e.before, e.after)
        for e in reversed(entries(db.session, patron_id=patron.id))
        if e.action != "patron.viewed"
    ]
    assert changes == [
        (
            "subscription.refused",
            "balie",
            {"status": "normal", "status_reason": ""},
            {"status": "invalid", "status_reason": "Post komt retour"},
        ),
        (
            "subscription.lifted",
            "balie",
            {"status": "invalid", "status_reason": "Post komt retour"},
            {"status": "normal", "status_reason": ""},
        ),
    ]


def test_only_a_coordinator_blacklists_and_lifts_a_blacklist(
    desk: FlaskClient, coordinator: FlaskClient, patron: Patron
) -> None:
    assert refuse(desk, patron, "blacklisted", "Agressief").status_code == 403
    assert status_of(patron).status == Status.NORMAL
    page = coordinator.get(page_of(patron)).get_data(as_text=True)
    assert 'value="invalid"' in page and 'value="blacklisted"' in page
    assert refuse(coordinator, patron, "blacklisted", "Agressief").status_code == 303
    notice = lending(screen(desk, patron.temporary_number))
    assert "De klant staat op de zwarte lijst. Reden: Agressief" in notice
    assert re.search(SET_BY.format(staff="hoofd"), notice)
    seen_by_desk = text_of(desk.get(page_of(patron)).get_data(as_text=True))
    assert "Alleen een coördinator kan de zwarte lijst opheffen." in seen_by_desk
    assert "Weigering opheffen" not in seen_by_desk and "Weigering wijzigen" not in seen_by_desk
    token = csrf_token_in(desk.get(page_of(patron)).get_data(as_text=True))
    for path, form in (
        ("/opheffen", {"csrf_token": token, "refusal": "blacklisted"}),
        ("", {"csrf_token": token, "status": "invalid", "reason": "Minder", "seen": "blacklisted"}),
    ):
        assert desk.post(page_of(patron) + path, data=form).status_code == 403
    assert status_of(patron).status == Status.BLACKLISTED
    assert lift(coordinator, patron, "blacklisted").status_code == 303
    assert status_of(patron).status == Status.NORMAL


def test_a_blacklist_asks_the_coordinator_for_a_fresh_code(
    coordinator: FlaskClient, patron: Patron, clock: ManualClock
) -> None:
    clock.advance(timedelta(minutes=5, seconds=1))
    asked = refuse(coordinator, patron, "blacklisted", "Fraude met passen")
    assert asked.status_code == 302
    assert asked.location == f"{SECOND_STEP}?next={page_of(patron)}"
    assert status_of(patron).status == Status.NORMAL
    code = code_at(authenticator_of("hoofd"))
    assert type_code(coordinator, code, asked.location).location == page_of(patron)
    assert refuse(coordinator, patron, "blacklisted", "Fraude met passen").status_code == 303
    clock.advance(timedelta(minutes=6))
    asked = lift(coordinator, patron, "blacklisted")
    assert asked.status_code == 302 and asked.location.startswith(SECOND_STEP)
    assert status_of(patron).status == Status.BLACKLISTED
    code = code_at(authenticator_of("hoofd"))
    assert type_code(coordinator, code, asked.location).location == page_of(patron)
    assert lift(coordinator, patron, "blacklisted").status_code == 303
    clock.advance(timedelta(minutes=6))
    assert refuse(coordinator, patron, "invalid", "Adres onbekend").status_code == 303  # no code


def test_a_change_made_meanwhile_is_not_overwritten(
    desk: FlaskClient, coordinator: FlaskClient, patron: Patron
) -> None:
    html = desk.get(page_of(patron)).get_data(as_text=True)  # the desk's page shows normal
    assert refuse(coordinator, patron, "blacklisted", "Agressief").status_code == 303
    form = {"status": "invalid", "reason": "Post komt retour", "seen": "normal"}
    late = desk.post(page_of(patron), data={"csrf_token": csrf_token_in(html), **form})
    assert late.status_code == 303 and late.location == page_of(patron)
    now_shown = text_of(desk.get(late.location).get_data(as_text=True))
    assert "kan niet zo worden gewijzigd (misschien is die net gewijzigd)" in now_shown
    assert "Op zwarte lijst – Reden: Agressief" in now_shown
    assert (status_of(patron).status, status_of(patron).status_reason) == (
        Status.BLACKLISTED,
        "Agressief",
    )
    changes = entries(db.session, patron_id=patron.id)
    assert [(e.action, e.staff_username) for e in changes if e.action != "patron.viewed"] == [
        ("subscription.refused", "hoofd")
    ]


def test_the_forms_need_their_csrf_token_and_a_patron_without_subscription_has_none(
    desk: FlaskClient, patron: Patron
) -> None:
    form = {"status": "invalid", "reason": "Post komt retour", "seen": "normal"}
    assert desk.post(page_of(patron), data=form).status_code == 400
    lift_without = desk.post(f"{page_of(patron)}/opheffen", data={"refusal": "invalid"})
    assert lift_without.status_code == 400
    assert status_of(patron).status == Status.NORMAL
    nobody = create_patron(db.session, None, now())
    db.session.commit()
    page = text_of(desk.get(page_of(nobody)).get_data(as_text=True))
    assert "Deze klant heeft geen abonnement: er is niets te weigeren." in page
    assert desk.get("/balie/klanten/9999999999/abonnement-status").status_code == 404
