"""No full scan of a large table on the paths a patron, a kiosk, a token exchange or housekeeping
takes: the SQL of each path is captured and every statement's plan is read, on SQLite and (when
the suite runs there) on PostgreSQL."""

import json
from contextlib import suppress
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from shared.accounts.login import log_in
from shared.cards.collection_codes import issue_code
from shared.clock import ManualClock
from shared.desk.duplicates import likely_duplicates
from shared.desk.search import search_patrons
from shared.errors import DomainError
from shared.kiosks.identification import by_card, by_code
from shared.mail.worker import claim, due_ids
from shared.models.patron import Subscription
from shared.models.payment import Chargeback, Payment
from shared.oidc.claims import user_claims
from shared.patrons.lookup import linked_patrons
from shared.payments.chargebacks import (
    WINDOW,
    chargebacks_may_have_changed,
    news_by_payment,
    payments_by_provider_id,
    recent_chargebacks,
)
from shared.payments.due_collections import collections_to_check, schedules_to_start
from shared.payments.ended_schedules import schedules_to_check
from shared.payments.provider import ProviderChargeback, ProviderRefund
from shared.payments.refunds import payments_with_unknown_refunds, unsettled_refunds
from shared.payments.service import unfinished_payments
from shared.signup.purge import purge_unconfirmed
from shared.signup.registration import PersonalDetails
from shared.timeutil import local_today
from tests.support import accounts
from tests.support.dates import noon_on
from tests.support.factories import PASSWORD, create_account, create_card, create_patron
from tests.support.oidc import ALL_SCOPES, add_service, tokens_for
from tests.support.query_plans import captured, indexes_used, row_filters, scans
from tests.support.signup import details_data, signed_up

READS_AND_CHANGES = ("SELECT", "UPDATE", "DELETE")


@pytest.fixture
def members(app: Flask, clock: ManualClock) -> list[Any]:
    """A few members, each with a confirmed login, a card and a confirmed library e-mail."""
    made = []
    for _ in range(3):
        account = create_account(db.session, clock.now(), confirmed=True)
        patron = create_patron(db.session, account, clock.now(), subscription="0045")
        patron.library_email_confirmed_at = clock.now()
        card = create_card(db.session, patron, clock.now())
        made.append((account, patron, card))
    db.session.commit()
    return made


def logins(account: Any, patron: Any, card: Any) -> dict[str, str]:
    """Every kind of name a member logs in with."""
    return {
        "e-mail": account.email.upper(),
        "username": account.username,
        "card number": card.number,
        "temporary number": patron.temporary_number,
        "library e-mail": patron.library_email,
        "unknown": "niemand@example.nl",
    }


def attempt(login: str, now: datetime) -> None:
    """Log in (right or wrong: both paths look the name up)."""
    with suppress(DomainError):
        log_in(db.session, login, PASSWORD, now)


def no_scans(statements: list[tuple[str, Any]]) -> None:
    """Something was captured, and no plan of it scans a large table."""
    assert statements
    assert scans(db.session, statements) == []


@pytest.mark.parametrize(
    "kind", ["e-mail", "username", "card number", "temporary number", "library e-mail", "unknown"]
)
def test_logging_in_scans_no_large_table(clock: ManualClock, members: list[Any], kind: str) -> None:
    login = logins(*members[1])[kind]
    with captured() as statements:
        attempt(login, clock.now())
    no_scans(statements)


def test_the_patrons_and_claims_of_a_login_are_found_without_a_scan(
    clock: ManualClock, members: list[Any]
) -> None:
    account = members[1][0]
    with captured() as statements:
        linked_patrons(db.session, account)
        user_claims(db.session, account, ALL_SCOPES, clock.now())
    no_scans(statements)


def test_a_token_exchange_and_userinfo_scan_no_large_table(
    app: Flask, client: FlaskClient, members: list[Any]
) -> None:
    service = add_service(app)
    patron = accounts.member(client)
    assert accounts.log_in(client, patron.customer_number).status_code == 303
    with captured(READS_AND_CHANGES) as statements:
        access = tokens_for(client, service)["access_token"]
        client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {access}"})
    no_scans(statements)


def test_logging_in_on_the_site_and_the_account_page_scan_no_large_table(
    client: FlaskClient, members: list[Any]
) -> None:
    patron = accounts.member(client)
    with captured(READS_AND_CHANGES) as statements:
        assert accounts.log_in(client, patron.customer_number).status_code == 303
        assert client.get("/mijn-account").status_code == 200
    no_scans(statements)


def test_the_purge_scans_no_large_table(clock: ManualClock, members: list[Any]) -> None:
    with captured(READS_AND_CHANGES) as statements:
        purge_unconfirmed(db.session, clock.now())
    no_scans(statements)


def test_reconciliation_finds_what_can_matter_without_a_scan(
    clock: ManualClock, members: list[Any]
) -> None:
    today = local_today(clock.now())
    with captured() as statements:
        unfinished_payments(db.session)
        unsettled_refunds(db.session)
        schedules_to_start(db.session)
        collections_to_check(db.session, today)
        schedules_to_check(db.session, today)
    no_scans(statements)


def test_chargebacks_and_refunds_reported_by_the_provider_are_matched_without_a_scan(
    clock: ManualClock, members: list[Any]
) -> None:
    reported = [ProviderChargeback(f"chb_{n}", f"tr_{n}", Decimal(1), "", None) for n in range(3)]
    refunds = [ProviderRefund(f"re_{n}", "refunded", Decimal(1), {}, f"tr_{n}") for n in range(3)]
    with captured() as statements:
        payments_by_provider_id(db.session, news_by_payment(db.session, reported))
        payments_with_unknown_refunds(db.session, refunds)
        recent_chargebacks(db.session, clock.now() - WINDOW)
    no_scans(statements)


def test_schedules_to_start_are_read_from_an_index_of_only_those(
    clock: ManualClock, members: list[Any]
) -> None:
    # Any index would do for the scan check; the unique one on mollie_subscription_id reads
    # every subscription paid at once (its NULLs).
    with captured() as statements:
        schedules_to_start(db.session)
    assert indexes_used(db.session, statements) == {"ix_subscription_schedule_to_start"}


def signed_up_by_direct_debit(client: FlaskClient) -> Subscription:
    """A new member paying by direct debit (next to the members); the subscription."""
    signed_up(client, "0049")
    query = select(Subscription).where(Subscription.paid_by == "direct_debit")
    return db.session.scalars(query).one()


def test_recording_a_lost_collection_scans_no_large_table(
    app: Flask, client: FlaskClient, clock: ManualClock, mollie_sandbox, members: list[Any]
) -> None:
    subscription = signed_up_by_direct_debit(client)
    ended = subscription.end_date
    mollie_sandbox.charge(subscription.mollie_subscription_id, "paid", webhook=False)
    clock.set(noon_on(subscription.renewal_start))
    with captured(READS_AND_CHANGES) as statements:
        app.test_cli_runner().invoke(args=["payments", "reconcile"])
    db.session.expire_all()
    assert db.session.get_one(Subscription, subscription.id).end_date > ended
    no_scans(statements)


def test_noting_a_reversed_chargeback_scans_no_large_table(
    app: Flask, client: FlaskClient, clock: ManualClock, mollie_sandbox, members: list[Any]
) -> None:
    subscription = signed_up_by_direct_debit(client)
    collection = mollie_sandbox.charge(subscription.mollie_subscription_id, "paid", webhook=False)
    clock.set(noon_on(subscription.renewal_start))
    runner = app.test_cli_runner()
    runner.invoke(args=["payments", "reconcile"])
    taken = mollie_sandbox.charge_back(collection["id"], webhook=False)
    runner.invoke(args=["payments", "reconcile"])
    mollie_sandbox.reverse_chargeback(collection["id"], taken["id"], webhook=False)
    with captured(READS_AND_CHANGES) as statements:
        runner.invoke(args=["payments", "reconcile"])
        payment = db.session.scalars(select(Payment).where(Payment.provider_id == collection["id"]))
        assert not chargebacks_may_have_changed(db.session, payment.one(), Decimal("5.00"))
    assert db.session.scalars(select(Chargeback)).one().reversed_at is not None
    no_scans(statements)


def test_noticing_a_schedule_ended_at_mollie_scans_no_large_table(
    app: Flask, client: FlaskClient, clock: ManualClock, mollie_sandbox, members: list[Any]
) -> None:
    subscription = signed_up_by_direct_debit(client)
    mollie_sandbox.end_subscription(subscription.mollie_subscription_id, "canceled")
    clock.set(noon_on(subscription.end_date))
    with captured(READS_AND_CHANGES) as statements:
        app.test_cli_runner().invoke(args=["payments", "reconcile"])
    db.session.expire_all()
    assert db.session.get_one(Subscription, subscription.id).paid_by == "once"
    no_scans(statements)


def test_the_mail_worker_finds_due_mail_without_a_scan(
    clock: ManualClock, members: list[Any]
) -> None:
    with captured(READS_AND_CHANGES) as statements:
        due_ids(db.session, clock.now(), 10)
        claim(db.session, 1, clock.now(), 60)
    no_scans(statements)


def test_a_kiosk_finds_a_tapped_card_or_a_typed_code_without_a_scan(
    clock: ManualClock, members: list[Any]
) -> None:
    _, patron, card = members[1]
    code = issue_code(db.session, "secret", patron, clock.now())
    with captured(("SELECT", "UPDATE")) as statements:
        by_card(db.session, card.number, None, clock.now())
        with suppress(DomainError):  # a card was issued: the code is refused, after its look-up
            by_code(db.session, "secret", code, 1, clock.now())
    no_scans(statements)


@pytest.mark.parametrize(
    "query",
    [
        "de Vries",
        "j. de vris",  # a typo: one letter left out
        "anna jansen",
        "anna",
        "2527099999997",
        "PATRON1@example.nl",
        "7961 AM 12",
        "12-03-1980",
        "jansen 12-03-1980",
        "7961 de vries",  # the postcode's digits alone, narrowed down by the names
        "12-03-1980 anna jansen",
    ],
)
def test_the_desks_search_scans_no_large_table(members: list[Any], query: str) -> None:
    with captured() as statements:
        search_patrons(db.session, query)
    no_scans(statements)


def test_the_desks_search_reads_names_in_the_order_of_an_index(
    clock: ManualClock, members: list[Any]
) -> None:
    create_patron(db.session, None, clock.now(), names=("A.", "de", "Vries", "Anna"))
    with captured() as statements:
        assert search_patrons(db.session, "de Vries")
        assert search_patrons(db.session, "a. vries")
    assert "ix_patron_name_key_surname" in indexes_used(db.session, statements)


def test_the_weekly_schedule_check_skips_those_asked_about_in_the_index(
    clock: ManualClock, members: list[Any]
) -> None:
    with captured() as statements:
        schedules_to_check(db.session, local_today(clock.now()))
    assert indexes_used(db.session, statements) == {"ix_subscription_plan_end_checked"}
    assert not [f for f in row_filters(db.session, statements) if "schedule_checked_on" in f]


@pytest.mark.parametrize("surname", ["Dijk", "Obs de Regenboog"])
def test_the_desks_duplicate_check_scans_no_large_table(
    clock: ManualClock, members: list[Any], surname: str
) -> None:
    born = date(1980, 1, 1)  # every institution's
    names = ("", "", "Obs De Regenboog", "")
    create_patron(db.session, None, clock.now(), birth_date=born, names=names)
    typed = details_data(surname=surname, postcode="7961am", house_number="12 A", newsletter=False)
    del typed["branch"]
    typed |= {"birth_date": born}
    with captured() as statements:
        likely_duplicates(db.session, PersonalDetails(**typed))
    no_scans(statements)
    assert "ix_patron_postcode_compact" in indexes_used(db.session, statements)


def test_the_daily_membership_job_finds_what_is_due_without_a_scan(
    app: Flask, client: FlaskClient, clock: ManualClock, members: list[Any]
) -> None:
    signed_up(client, "0045")
    end = db.session.scalars(select(Subscription.end_date).order_by(Subscription.id.desc())).first()
    assert end is not None
    runner = app.test_cli_runner()
    with captured(READS_AND_CHANGES) as statements:
        # The notice, the invoice, the reminder and the lapse of the renewal, each on its day.
        for day in (end - timedelta(days=30), end + timedelta(days=1), end + timedelta(days=23)):
            clock.set(noon_on(day))
            assert runner.invoke(args=["memberships", "run-daily"]).exit_code == 0
        clock.set(noon_on(end + timedelta(days=31)))
        seen = json.loads(runner.invoke(args=["memberships", "run-daily"]).output)
    assert seen["lapsed"] == len(members) + 1  # theirs ended that day too
    no_scans(statements)
