"""The mails of a completed signup: content in the patron's language, links, QR token, delivery."""

import re
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.wiring import now
from shared import tokens
from shared.cards.collection_codes import LIFETIME, normalise
from shared.mail.patron_mail import qr_png
from shared.mail.transport import SmtpTransport
from shared.mail.worker import send_pending_committing
from shared.models.account import LoginAccount
from shared.models.mail import MailStatus, OutboxMail
from shared.models.patron import Patron
from shared.timeutil import local_today
from tests.conftest import TEST_SECRET
from tests.support.servers import free_port
from tests.support.signup import checkout, csrf_token, start_payment, walk_to_review
from tests.support.smtp import RecordingHandler, start_smtp


def sign_up_and_pay(client: FlaskClient, **details: str) -> Patron:
    """A complete signup, paid at the sandbox; returns the new patron."""
    walk_to_review(client, **details)
    client.get(checkout(start_payment(client), "paid"))
    return db.session.scalars(select(Patron)).one()


def outbox(kind: str) -> EmailMessage:
    """The queued mail of a kind, parsed."""
    row = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == kind)).one()
    return BytesParser(policy=policy.default).parsebytes(row.message)


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    return text, message.get_body(preferencelist=("html",)).get_content()


def test_welcome_mail_has_what_the_seed_mail_has(client: FlaskClient) -> None:
    patron = sign_up_and_pay(client)
    message = outbox("welcome")
    text, html = parts(message)
    assert message["To"] == "marieke@example.nl" and message["Content-Language"] == "nl"
    assert "Welkom" in message["Subject"]
    for body in (text, html):
        assert patron.temporary_number in body and "marieke@example.nl" in body
        assert "Bibliotheek Ruinerwold" in body and "Dijkhuizen 66" in body
        assert "(088) 012 8445" in body and "7961 AM" in body
        assert "legitimatiebewijs" in body and "e-books" in body
    assert 'src="cid:qr"' in html
    qr = next(p for p in message.walk() if p.get_content_type() == "image/png")
    assert qr.get_payload(decode=True).startswith(b"\x89PNG")


def test_the_welcome_mail_names_the_username_and_the_number_apart(client: FlaskClient) -> None:
    patron = sign_up_and_pay(client)
    for body in parts(outbox("welcome")):
        assert "Gebruikersnaam: marieke85" in body
        assert f"Tijdelijk klantnummer: {patron.temporary_number}" in body
        assert "Klantnummer/gebruikersnaam" not in body and "Je gebruikersnaam blijft" in body


def test_the_digital_only_welcome_mail_names_the_customer_number(client: FlaskClient) -> None:
    walk_to_review(client, "0141")
    client.get(checkout(start_payment(client), "paid"))
    patron = db.session.scalars(select(Patron)).one()
    text, _html = parts(outbox("welcome"))
    assert "Gebruikersnaam: marieke85" in text and f"Klantnummer: {patron.system_number}" in text


def test_qr_code_holds_the_signed_collection_token(client: FlaskClient) -> None:
    patron = sign_up_and_pay(client)
    message = outbox("welcome")
    # The clock stands still in tests, so the token signed at activation is the one made here.
    token = tokens.make_token(TEST_SECRET, tokens.CARD_COLLECTION, {"patron": patron.id}, now())
    qr = next(p for p in message.walk() if p.get_content_type() == "image/png")
    assert qr.get_payload(decode=True) == qr_png(token)
    assert patron.temporary_number not in token


def test_typed_kiosk_code_is_short_with_a_check_character(client: FlaskClient) -> None:
    sign_up_and_pay(client)
    text, html = parts(outbox("welcome"))
    until = format_date(local_today(now() + LIFETIME), "long", locale="nl")
    for body in (text, html):
        shown = re.search(r"\b([0-9A-Z]{4} [0-9A-Z]{5})\b", body)[1]
        assert len(shown) <= 10 and normalise(shown) == shown.replace(" ", "")
        assert f"één keer intypen, tot {until}" in body
    assert not re.search(r"[\w-]{20,}\.[\w-]+\.[\w-]+", text), "the long token is gone"


def test_mails_follow_the_chosen_language(client: FlaskClient) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True))
    client.post("/taal", data={"csrf_token": token[1], "lang": "en", "next": "/"})
    sign_up_and_pay(client)
    message = outbox("welcome")
    text, _html = parts(message)
    assert message["Content-Language"] == "en" and "Welcome" in message["Subject"]
    assert "Bring an ID document" in text


def test_confirm_account_link_works_once_and_says_so(client: FlaskClient) -> None:
    sign_up_and_pay(client)
    text, _html = parts(outbox("confirm_account"))
    url = re.search(r"http://\S+/bevestigen/account/\S+", text)[0]
    path = url.split("127.0.0.1", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200 and "bevestigd" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(LoginAccount)).one().confirmed_at is not None
    assert client.get("/" + path).status_code == 200


def test_library_email_gets_its_own_confirmation(client: FlaskClient) -> None:
    sign_up_and_pay(client, library_email="m.dijk@werk.example.nl")
    message = outbox("confirm_library_email")
    assert message["To"] == "m.dijk@werk.example.nl"
    path = re.search(r"/bevestigen/e-mail/\S+", parts(message)[0])[0]
    page = client.get(path)  # opening the link (a mail scanner may) confirms nothing
    assert page.status_code == 200 and "m.dijk@werk.example.nl" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(Patron)).one().library_email_confirmed_at is None
    assert client.post(path, data={"csrf_token": csrf_token(page)}).status_code == 303
    db.session.expire_all()
    assert db.session.scalars(select(Patron)).one().library_email_confirmed_at is not None


def test_tampered_confirmation_link_is_explained(client: FlaskClient) -> None:
    page = client.get("/bevestigen/account/not-a-token")
    assert page.status_code == 410 and "niet geldig" in page.get_data(as_text=True)


def test_smtp_outage_loses_nothing(app: Flask, client: FlaskClient) -> None:
    sign_up_and_pay(client)
    port = free_port()
    transport = SmtpTransport.from_url(f"smtp://127.0.0.1:{port}?timeout=2")
    assert send_pending_committing(db.session, transport, now=now()).retried == 2
    handler = RecordingHandler()
    controller = start_smtp(handler, port)
    try:
        report = send_pending_committing(db.session, transport, now=now() + timedelta(minutes=5))
    finally:
        controller.stop()
    assert report.sent == 2 and len(handler.envelopes) == 2
    statuses = set(db.session.scalars(select(OutboxMail.status)))
    assert statuses == {MailStatus.SENT}


def test_development_mail_page_lists_and_shows_written_mail(
    app: Flask, client: FlaskClient
) -> None:
    sign_up_and_pay(client)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert "sent 2" in result.output
    assert len(list(Path(app.config["MAIL_DIR"]).glob("*.eml"))) == 2
    listing = client.get("/dev/mail").get_data(as_text=True)
    name = re.search(r'/dev/mail/([^"]+\.eml)', listing)[1]
    assert "Welkom" in listing
    shown = client.get(f"/dev/mail/{name}")
    assert shown.status_code == 200 and "srcdoc" in shown.get_data(as_text=True)
    # A mail beside the folder, not in it: whatever the database, the file is there.
    (Path(app.config["MAIL_DIR"]).parent / "outside.eml").write_text("not listed")
    assert client.get("/dev/mail/..%2Foutside.eml").status_code == 404


def test_staff_list_and_purge_commands(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert "0 patrons" in runner.invoke(args=["accounts", "unconfirmed-paid"]).output
    assert "deleted 0 accounts" in runner.invoke(args=["accounts", "purge"]).output
