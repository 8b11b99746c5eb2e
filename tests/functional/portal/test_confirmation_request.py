"""A paying patron whose confirmation link expired: the mail says what really happens (the
account is kept), and the login page sends a new link, with one answer for every login."""

import re
from datetime import timedelta
from email import message_from_bytes, policy

from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from shared.clock import ManualClock
from shared.models.account import LoginAccount
from shared.models.mail import OutboxMail
from shared.signup.purge import purge_unconfirmed
from tests.support.accounts import PASSWORD, log_in, mailed_path
from tests.support.signup import csrf_token, signed_up

LATER = timedelta(hours=25)


def confirmation_mails() -> int:
    """How many confirm-account mails are in the outbox."""
    return db.session.scalar(
        select(func.count()).select_from(OutboxMail).where(OutboxMail.kind == "confirm_account")
    )


def ask_again(client: FlaskClient, login: str) -> str:
    """Ask for a new confirmation link; the answer page's text without its CSRF tokens."""
    token = csrf_token(client.get("/bevestiging-opnieuw"))
    page = client.post("/bevestiging-opnieuw", data={"csrf_token": token, "login": login})
    assert page.status_code == 200
    return re.sub(r'name="csrf_token" value="[^"]+"', "", page.get_data(as_text=True))


def test_the_mail_says_the_account_is_kept_and_how_to_get_a_new_link(client: FlaskClient) -> None:
    signed_up(client)
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "confirm_account")).one()
    message = message_from_bytes(mail.message, policy=policy.default)
    for kind in ("plain", "html"):
        body = message.get_body((kind,)).get_content()
        assert "verwijderd" not in body
        assert "blijven bestaan" in body and "Stuur de bevestigingsmail opnieuw" in body


def test_an_expired_link_is_sent_again_and_the_account_waits_until_it_is_used(
    client: FlaskClient,
    new_browser,
    clock: ManualClock,  # noqa: ANN001
) -> None:
    signed_up(client)
    clock.advance(LATER)
    purge_unconfirmed(db.session, clock.now())  # a paying patron's account is kept
    db.session.commit()
    refused = log_in(new_browser(), "marieke85").get_data(as_text=True)
    assert "niet binnen 24 uur bevestigd" in refused and "/bevestiging-opnieuw" in refused
    assert client.get(mailed_path("confirm_account", "/bevestigen/")).status_code == 410

    ask_again(new_browser(), "marieke85")
    assert confirmation_mails() == 2
    db.session.expire_all()
    assert db.session.scalars(select(LoginAccount)).one().confirmed_at is None
    assert log_in(new_browser(), "marieke85").status_code == 200  # still waiting for the click
    assert client.get(mailed_path("confirm_account", "/bevestigen/")).status_code == 200
    assert log_in(new_browser(), "marieke85", PASSWORD).status_code == 303


def test_every_login_gets_the_same_answer_and_only_a_waiting_one_a_mail(
    client: FlaskClient,
    new_browser,
    clock: ManualClock,  # noqa: ANN001
) -> None:
    signed_up(client)
    clock.advance(LATER)
    answers = {
        login: ask_again(new_browser(), login)
        for login in ("marieke85", "niemand", "niemand@example.nl", "marieke@example.nl")
    }
    assert len(set(answers.values())) == 1
    assert confirmation_mails() == 2  # the signup's, and one for marieke85 by name or address
    ask_again(new_browser(), "marieke85")
    assert confirmation_mails() == 2  # at most one per quarter of an hour
    clock.advance(timedelta(minutes=15))
    ask_again(new_browser(), "marieke85")
    assert confirmation_mails() == 3
    db.session.scalars(select(LoginAccount)).one().confirmed_at = clock.now()
    db.session.commit()
    clock.advance(timedelta(minutes=15))
    ask_again(new_browser(), "marieke85")
    assert confirmation_mails() == 3  # a confirmed login gets nothing
