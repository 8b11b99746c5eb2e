"""Renewing a subscription paid once, through `memberships run-daily` with the clock moved: the
renewal mail with its pay link, paid ahead or not; at the end the invoice and the grace period;
the reminder; lending blocked after it; paying late extends from the old end; every step once."""

import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from email import message_from_bytes, policy

from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.wiring import mail_settings
from shared.clock import ManualClock
from shared.memberships.renewal import Renewal, RenewalRules, invoice, renew_free
from shared.models.mail import OutboxMail
from shared.models.membership import Letter
from shared.models.patron import Patron, Subscription
from shared.models.payment import Payment
from shared.patrons.subscriptions import last_day_aged
from shared.payments import ledger
from shared.timeutil import add_months, end_of_month, local_today
from tests.support.accounts import log_in, member
from tests.support.factories import create_account, create_patron, create_subscription
from tests.support.kiosk_api import kiosk_payment, register_kiosk
from tests.support.signup import checkout, csrf_token
from tests.support.staff import desk_session, lift, refuse

DAY = timedelta(days=1)


def a_year_on(end: date) -> date:
    """The end of the month a year after `end` (the *vervalmaand*'s rule)."""
    return end_of_month(add_months(end, 12))


def run_daily(app: Flask) -> dict[str, int]:
    """`memberships run-daily` for the clock's day; what each step saw."""
    result = app.test_cli_runner().invoke(args=["memberships", "run-daily"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def go_to(clock: ManualClock, day: date) -> None:
    """Move the clock to noon of that day."""
    while local_today(clock.now()) < day:
        clock.advance(DAY)


def send_mails() -> None:
    """`mail send`: the worker renders (the job queues renewal mails unrendered) and sends."""
    sent = current_app.test_cli_runner().invoke(args=["mail", "send"])
    assert sent.exit_code == 0, sent.output
    db.session.expire_all()


def renewal_mails() -> list[str]:
    """The renewal mails' plain text, oldest first, once sent."""
    send_mails()
    rows = db.session.scalars(
        select(OutboxMail).where(OutboxMail.kind == "renewal").order_by(OutboxMail.id)
    )
    texts = []
    for row in rows:
        message = message_from_bytes(row.message, policy=policy.default)
        texts.append(f"{message['Subject']}\n{message.get_body(('plain',)).get_content()}")
    return texts


def subscription_of(patron: Patron) -> Subscription:
    """The patron's subscription, read again."""
    db.session.expire_all()
    return db.session.scalars(select(Subscription).where(Subscription.patron_id == patron.id)).one()


def pay_by_link(client: FlaskClient, text: str) -> None:
    """Follow the mail's pay link and pay at the checkout."""
    link = re.search(r"https?://[^/\s]+(/betalen/[^\s\"<]+)", text)
    assert link is not None, text
    page = client.get(link[1])
    pay = client.post(link[1], data={"csrf_token": csrf_token(page)})
    client.get(checkout(pay.location, "paid"))


def test_a_renewal_paid_ahead_extends_a_year_from_the_old_end_and_is_never_invoiced(
    app: Flask, client: FlaskClient, clock: ManualClock
) -> None:
    patron = member(client)
    end = subscription_of(patron).end_date
    go_to(clock, end - 40 * DAY)
    assert run_daily(app)["notice"] == 0
    go_to(clock, end - 30 * DAY)
    assert run_daily(app)["notice"] == 1
    assert run_daily(app)["notice"] == 0  # once, however often it runs
    [notice] = renewal_mails()
    assert notice.startswith("Verleng je abonnement") and "58,00" in notice
    pay_by_link(client, notice)
    renewed = subscription_of(patron)
    assert renewed.end_date == a_year_on(end)
    assert (renewed.status, ledger.balance(db.session, patron.id)) == ("normal", Decimal("0"))
    go_to(clock, end + 2 * DAY)
    assert run_daily(app)["invoice"] == 0
    assert len(renewal_mails()) == 1


def test_an_unpaid_renewal_is_invoiced_valid_through_grace_then_blocked_until_paid(
    app: Flask, client: FlaskClient, clock: ManualClock
) -> None:
    patron = member(client)
    end = subscription_of(patron).end_date
    go_to(clock, end - 30 * DAY)
    run_daily(app)
    go_to(clock, end + DAY)
    assert run_daily(app)["invoice"] == 1
    invoiced = subscription_of(patron)
    assert (invoiced.status, invoiced.grace_until) == ("invoiced", end + 30 * DAY)
    assert ledger.balance(db.session, patron.id) == Decimal("58.00")
    assert invoiced.usable_on(end + DAY)
    go_to(clock, end + 23 * DAY)
    assert run_daily(app)["reminder"] == 1
    go_to(clock, end + 31 * DAY)
    assert run_daily(app)["lapsed"] == 1
    assert not subscription_of(patron).usable_on(end + 31 * DAY)
    subjects = [text.splitlines()[0] for text in renewal_mails()]
    assert len(subjects) == 4 and len(set(subjects)) == 4
    pay_by_link(client, renewal_mails()[-1])
    paid = subscription_of(patron)
    assert (paid.status, paid.grace_until) == ("normal", None)
    assert paid.end_date == a_year_on(end)
    assert paid.usable_on(end + 31 * DAY) and ledger.balance(db.session, patron.id) == 0
    go_to(clock, end + 40 * DAY)
    assert run_daily(app) == {key: 0 for key in run_daily(app)}


def test_without_an_e_mail_address_the_renewal_is_a_letter_for_the_desk(
    app: Flask, client: FlaskClient, clock: ManualClock
) -> None:
    patron = member(client)
    patron.login_account.email = ""
    patron.library_email = ""
    db.session.commit()
    go_to(clock, subscription_of(patron).end_date - 30 * DAY)
    run_daily(app)
    letter = db.session.scalars(select(Letter)).one()
    assert (letter.patron_id, letter.step, letter.printed_at) == (patron.id, "notice", None)
    assert renewal_mails() == []


def test_my_account_offers_the_renewal_from_the_notice_days_and_while_it_is_unpaid(
    app: Flask, client: FlaskClient, clock: ManualClock
) -> None:
    patron = member(client)
    log_in(client, patron.customer_number)
    end = subscription_of(patron).end_date
    go_to(clock, end - 31 * DAY)
    assert "/betalen/" not in client.get("/mijn-account").get_data(as_text=True)
    go_to(clock, end - 30 * DAY)
    page = client.get("/mijn-account").get_data(as_text=True)
    assert "Verleng je abonnement nu: € 58,00" in page.replace("\xa0", " ")
    go_to(clock, end + DAY)
    run_daily(app)
    page = client.get("/mijn-account").get_data(as_text=True)
    assert "nog € 58,00 betalen" in page.replace("\xa0", " ")
    pay_by_link(client, page)
    assert subscription_of(patron).end_date == a_year_on(end)
    assert "/betalen/" not in client.get("/mijn-account").get_data(as_text=True)


def test_youth_moves_on_to_start_on_the_19th_birthday_once_with_a_mail(
    app: Flask, clock: ManualClock
) -> None:
    today = local_today(clock.now())
    born = date(today.year - 19, today.month, today.day) + 10 * DAY
    patron = create_patron(
        db.session, create_account(db.session, clock.now()), clock.now(), birth_date=born
    )
    youth = create_subscription(
        db.session, patron, "jeugd", today - 365 * DAY, end=last_day_aged(born, 18)
    )
    db.session.commit()
    assert run_daily(app)["moved"] == 0
    go_to(clock, born.replace(year=born.year + 19))
    assert run_daily(app)["moved"] == 1
    assert run_daily(app)["moved"] == 0
    db.session.expire_all()
    start = db.session.scalars(
        select(Subscription).where(Subscription.patron_id == patron.id, Subscription.id != youth.id)
    ).one()
    birthday = born.replace(year=born.year + 19)
    assert (start.type_code, start.start_date, start.price) == ("0021", birthday, 0)
    assert start.usable_on(birthday) and not youth.usable_on(birthday)
    [mail] = renewal_mails()
    assert mail.startswith("Je jeugdlidmaatschap is overgezet")
    assert "Start" in mail and "/mijn-account" in mail


def test_a_free_subscription_renews_while_its_ages_hold_then_ends_with_a_mail(
    app: Flask, clock: ManualClock
) -> None:
    today = local_today(clock.now())
    patron = create_patron(db.session, create_account(db.session, clock.now()), clock.now())
    start = create_subscription(db.session, patron, "0021", today - 300 * DAY)
    end = start.end_date
    renewal = end + DAY  # 30 on this day: Start (19 to 30) once more, and 31 a year later
    patron.birth_date = date(renewal.year - 30, renewal.month, renewal.day)
    db.session.commit()
    go_to(clock, end + DAY)
    seen = run_daily(app)
    assert (seen["renewed_free"], seen["notice"], seen["invoice"]) == (1, 0, 0)
    renewed = subscription_of(patron)
    assert renewed.end_date == a_year_on(end) and ledger.balance(db.session, patron.id) == 0
    go_to(clock, renewed.end_date + DAY)
    run_daily(app)
    assert subscription_of(patron).end_date == a_year_on(end)  # 31 now: it ends
    [mail] = renewal_mails()
    assert mail.startswith("Je abonnement is geëindigd") and "30 jaar" in mail


def test_a_lapsed_renewal_paid_at_the_kiosk_unblocks_and_the_desk_saw_why(
    app: Flask,
    client: FlaskClient,
    clock: ManualClock,
    mollie_sandbox,  # noqa: ANN001
    portal_server: str,
    new_browser: Callable[[], FlaskClient],
) -> None:
    patron = member(client)
    end = subscription_of(patron).end_date
    for day in (end + DAY, end + 31 * DAY):
        go_to(clock, day)
        run_daily(app)
    desk = desk_session(app, new_browser())
    screen = desk.get(f"/balie/klanten/{patron.temporary_number}").get_data(as_text=True)
    assert "De verlenging is niet betaald en de respijttermijn is voorbij" in screen
    token = register_kiosk(app, "Kiosk", "--terminal", "term_sandboxKiosk1")
    created = kiosk_payment(client, token, patron, "kiosk-pays-renewal")
    assert created.json["amount"] == "58.00"
    payment = db.session.scalars(select(Payment).where(Payment.terminal_id.is_not(None))).one()
    mollie_sandbox.set_status(payment.provider_id, "paid")
    paid = subscription_of(patron)
    assert (paid.status, paid.end_date) == ("normal", a_year_on(end))
    assert paid.usable_on(end + 31 * DAY)


def test_the_desk_moves_a_youth_member_on_before_the_birthday(
    app: Flask, clock: ManualClock, new_browser: Callable[[], FlaskClient]
) -> None:
    today = local_today(clock.now())
    born = date(today.year - 18, today.month, today.day) - 30 * DAY
    account = create_account(db.session, clock.now())
    patron = create_patron(db.session, account, clock.now(), birth_date=born)
    create_subscription(db.session, patron, "jeugd", today - 365 * DAY)
    db.session.commit()
    desk = desk_session(app, new_browser())
    screen = f"/balie/klanten/{patron.temporary_number}"
    page = desk.get(screen)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token is not None and "jeugd-overzetten" in page.get_data(as_text=True)
    moved = desk.post(f"{screen}/jeugd-overzetten", data={"csrf_token": token[1]})
    assert moved.status_code == 303
    db.session.expire_all()
    kinds = {s.type_code: s for s in db.session.get_one(Patron, patron.id).subscriptions}
    assert kinds["jeugd"].end_date == today - DAY and kinds["0021"].start_date == today
    assert kinds["0021"].usable_on(today) and not kinds["jeugd"].usable_on(today)
    assert renewal_mails()[0].startswith("Je jeugdlidmaatschap is overgezet")
    assert go_to(clock, today + 400 * DAY) is None and run_daily(app)["moved"] == 0


def test_a_renewal_paid_after_the_job_read_its_candidates_is_not_invoiced(
    app: Flask, client: FlaskClient, clock: ManualClock
) -> None:
    patron = member(client)
    end = subscription_of(patron).end_date
    go_to(clock, end - 30 * DAY)
    run_daily(app)
    go_to(clock, end + DAY)
    pay_by_link(client, renewal_mails()[0])  # as if paid while the job ran: the act reads again
    subscription = subscription_of(patron)
    day = Renewal(end + DAY, clock.now(), RenewalRules(), mail_settings())
    invoice(db.session, [subscription], day)
    renew_free(db.session, subscription, day)
    db.session.commit()
    after = subscription_of(patron)
    assert (after.status, after.end_date) == ("normal", a_year_on(end))
    assert ledger.balance(db.session, patron.id) == 0


def test_my_account_offers_no_renewal_for_a_subscription_that_ended_long_ago(
    app: Flask, client: FlaskClient, clock: ManualClock
) -> None:
    patron = member(client)
    log_in(client, patron.customer_number)
    go_to(clock, subscription_of(patron).end_date + 31 * DAY)
    assert "/betalen/" not in client.get("/mijn-account").get_data(as_text=True)


def test_a_refused_youth_member_moves_on_at_19_and_the_next_subscription_stays_refused(
    app: Flask, clock: ManualClock, new_browser: Callable[[], FlaskClient]
) -> None:
    today = local_today(clock.now())
    born = date(today.year - 19, today.month, today.day) + 10 * DAY
    patron = create_patron(
        db.session, create_account(db.session, clock.now()), clock.now(), birth_date=born
    )
    create_subscription(db.session, patron, "jeugd", today - 365 * DAY, end=last_day_aged(born, 18))
    db.session.commit()
    desk = desk_session(app, new_browser())
    assert refuse(desk, patron, "invalid", "Post komt retour").status_code == 303
    birthday = born.replace(year=born.year + 19)
    go_to(clock, birthday)
    assert run_daily(app)["moved"] == 1
    db.session.expire_all()
    kinds = {s.type_code: s for s in db.session.get_one(Patron, patron.id).subscriptions}
    start = kinds["0021"]
    assert (start.start_date, start.status, start.status_reason) == (
        birthday,
        "invalid",
        "Post komt retour",
    )
    assert not start.usable_on(birthday)
    desk = desk_session(app, new_browser(), "hoofd", "coordinator")  # a day later: new login
    assert lift(desk, patron, "invalid").status_code == 303
    db.session.expire_all()
    lifted = db.session.get_one(Subscription, start.id)
    assert lifted.status == "normal" and lifted.usable_on(birthday)
