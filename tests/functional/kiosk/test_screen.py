"""The kiosk's screen settings: larger text for one session, the branch's orientation and logo."""

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk.devices import Devices
from tests.support.kiosk_collect import log_in_at_kiosk, said
from tests.support.kiosk_flows import CARD, next_event, owing_card_holder, place, tap

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8"/></svg>'
HTML_TAG = re.compile(r"<html [^>]*>")
STEP = re.compile(
    r'<li class="step( step-done)?"( aria-current="step")?>.*?"step-name">([^<]*)', re.S
)
BODY_TAG = re.compile(r"<body [^>]*>")


def tag(kiosk: FlaskClient, pattern: re.Pattern[str], path: str = "/") -> str:
    """The page's element the pattern finds (its <html> or <body>, which carry layout classes)."""
    found = pattern.search(kiosk.get(path).get_data(as_text=True))
    assert found, path
    return found.group(0)


def html_tag(kiosk: FlaskClient, path: str = "/") -> str:
    """The page's <html> element, which says whether the text is larger."""
    return tag(kiosk, HTML_TAG, path)


def steps(page: str) -> list[tuple[bool, bool, str]]:
    """The page's steps: done, current, name."""
    return [(bool(done), bool(current), name) for done, current, name in STEP.findall(page)]


def larger_text(kiosk: FlaskClient, on: bool, page: str = "/") -> None:
    """Press the header's larger-text switch on `page`."""
    switched = kiosk.post("/grotere-tekst", data={"larger": "1" if on else "0", "next": page})
    assert switched.status_code == 303 and switched.location == page


def test_larger_text_holds_through_a_tap_and_not_into_the_next_session(
    app: Flask, client: FlaskClient, kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    owing_card_holder(app, client)
    kiosk = kiosk_app.test_client()
    assert "text-larger" not in html_tag(kiosk)
    assert 'aria-pressed="false"' in kiosk.get("/").get_data(as_text=True)
    larger_text(kiosk, True)
    assert "text-larger" in html_tag(kiosk)
    assert 'name="larger" value="0" aria-pressed="true"' in kiosk.get("/").get_data(as_text=True)
    assert tap(kiosk, kiosk_devices) == "/pas"
    assert "text-larger" in html_tag(kiosk, "/pas")
    larger_text(kiosk, False, "/pas")
    assert "text-larger" not in html_tag(kiosk, "/pas")
    larger_text(kiosk, True, "/pas")
    place(kiosk_devices, None)
    assert next_event(kiosk, session=True) == "/"  # taking the card away ends the session
    assert "text-larger" not in html_tag(kiosk)
    assert tap(kiosk, kiosk_devices) == "/pas"
    assert "text-larger" not in html_tag(kiosk, "/pas")


def test_the_larger_text_switch_comes_back_to_its_page_on_the_kiosk(kiosk_app: Flask) -> None:
    kiosk = kiosk_app.test_client()
    refused = "/pas-geweigerd?reason=unknown_card"
    assert f'name="next" value="{refused}"' in kiosk.get(refused).get_data(as_text=True)
    larger_text(kiosk, True, refused)
    switched = kiosk.post("/grotere-tekst", data={"larger": "1", "next": "//evil.example"})
    assert switched.status_code == 303 and switched.location == "/"


def test_out_of_service_the_screen_still_has_its_logo_and_larger_text(
    kiosk_app: Flask, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text(LOGO)
    kiosk_app.config["KIOSK_LOGO"] = str(logo)
    kiosk_app.extensions["kiosk"].heartbeat.went_offline()
    kiosk = kiosk_app.test_client()
    assert kiosk.get("/").location == "/buiten-gebruik"
    with kiosk.get("/logo") as served:
        assert served.status_code == 200
    larger_text(kiosk, True, "/buiten-gebruik")
    assert "text-larger" in html_tag(kiosk, "/buiten-gebruik")


@pytest.mark.parametrize("orientation", ["auto", "portrait", "landscape"])
def test_the_orientation_setting_is_a_class_of_the_page(kiosk_app: Flask, orientation: str) -> None:
    kiosk_app.config["KIOSK_ORIENTATION"] = orientation
    body = tag(kiosk_app.test_client(), BODY_TAG)
    assert body.startswith(f'<body class="orientation-{orientation}"')


def test_the_logo_is_served_cacheable_and_shown_with_the_name_as_its_text(
    kiosk_app: Flask, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text(LOGO)
    kiosk_app.config["KIOSK_LOGO"] = str(logo)
    kiosk = kiosk_app.test_client()
    with kiosk.get("/logo") as served:
        assert served.status_code == 200 and served.mimetype == "image/svg+xml"
        assert served.get_data(as_text=True) == LOGO
        assert served.cache_control.max_age and served.cache_control.max_age > 0
        assert not served.cache_control.no_store
    page = kiosk.get("/").get_data(as_text=True)
    assert '<img class="logo" src="/logo" alt="Bibliotheek Drenthe">' in page


def test_a_png_logo_has_its_own_type(kiosk_app: Flask, tmp_path: Path) -> None:
    logo = tmp_path / "logo.PNG"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    kiosk_app.config["KIOSK_LOGO"] = str(logo)
    with kiosk_app.test_client().get("/logo") as served:
        assert served.status_code == 200 and served.mimetype == "image/png"


def test_a_logo_gone_after_the_start_is_not_found_and_the_patron_stays(
    app: Flask, client: FlaskClient, kiosk_app: Flask, kiosk_devices: Devices, tmp_path: Path
) -> None:
    owing_card_holder(app, client)
    logo = tmp_path / "logo.svg"
    logo.write_text(LOGO)
    kiosk_app.config["KIOSK_LOGO"] = str(logo)
    kiosk = kiosk_app.test_client()
    assert tap(kiosk, kiosk_devices) == "/pas"
    logo.unlink()
    assert kiosk.get("/logo", headers={"Sec-Fetch-Dest": "image"}).status_code == 404
    assert kiosk.get("/pas").status_code == 200


def test_without_a_logo_the_name_is_text_and_logo_is_not_found(kiosk_app: Flask) -> None:
    kiosk = kiosk_app.test_client()
    page = kiosk.get("/").get_data(as_text=True)
    assert "<img" not in page and "Bibliotheek Drenthe · Ruinerwold" in page
    assert kiosk.get("/logo", headers={"Sec-Fetch-Dest": "image"}).status_code == 404


def test_a_flow_says_which_step_the_patron_is_at(
    app: Flask, client: FlaskClient, kiosk_app: Flask, kiosk_devices: Devices
) -> None:
    owing_card_holder(app, client)
    kiosk = kiosk_app.test_client()
    page = kiosk.get("/ophalen/inloggen?purpose=lost").get_data(as_text=True)
    assert f'<ol class="steps" aria-label="{said(kiosk_app, "Steps")}">' in page
    log, block, new = (said(kiosk_app, name) for name in ("Log in", "Block", "New card"))
    assert steps(page) == [(False, True, log), (False, False, block), (False, False, new)]
    assert log_in_at_kiosk(kiosk, CARD, purpose="lost").location == "/kwijt"
    page = kiosk.get("/kwijt").get_data(as_text=True)
    assert steps(page) == [(True, False, log), (False, True, block), (False, False, new)]
    assert f'<span class="visually-hidden"> ({said(kiosk_app, "done")})</span>' in page
    kiosk.post("/stoppen")
    assert tap(kiosk, kiosk_devices) == "/pas"
    page = kiosk.get("/betalen").get_data(as_text=True)
    amount, terminal, receipt = (said(kiosk_app, n) for n in ("Amount", "PIN terminal", "Receipt"))
    assert steps(page) == [(False, True, amount), (False, False, terminal), (False, False, receipt)]
