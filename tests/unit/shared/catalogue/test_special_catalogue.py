"""The special subscriptions of seed 002 as catalogue data (Gratis, Leesklik, Proefabonnement),
the selection codes with their discounts, the registration fee, and the loader refusing rules
that cannot hold."""

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.catalogue.loader import CatalogueError, load_catalogue
from shared.models.catalogue import (
    GuestRegistration,
    PatronLimit,
    Selection,
    SubscriptionType,
    Validity,
)

BASIS = """
[[subscription]]
code = "0045"
names = { nl = "Basis" }
summaries = { nl = "Basis" }
price = "58.00"
term_months = 12
validity = "end_of_month"
online_signup = true
"""


def catalogue(tmp_path: Path, text: str, head: str = "") -> Path:
    """A small catalogue file of the organisation "test" (top-level settings in `head`)."""
    path = tmp_path / "catalogue.toml"
    path.write_text(f'organisation = "test"\n{head}\n{text}', encoding="utf-8")
    return path


def subscription_entry(code: str, *lines: str) -> str:
    """A free subscription without an end, with extra lines."""
    extra = "\n".join(lines)
    return (
        f'[[subscription]]\ncode = "{code}"\nnames = {{ nl = "S" }}\nsummaries = {{ nl = "S" }}\n'
        f'price = "0.00"\nvalidity = "fixed"\n{extra}\n'
    )


def selection_entry(code: str, *lines: str) -> str:
    """A selection code, with extra lines."""
    extra = "\n".join(lines)
    return f'[[selection]]\ncode = "{code}"\nnames = {{ nl = "{code.title()}" }}\n{extra}\n'


def test_gratis_is_free_without_an_end_for_staff_or_volunteers_one_at_a_time(
    db_session: Session,
) -> None:
    gratis = db_session.get_one(SubscriptionType, "0001")
    assert gratis.price == 0 and gratis.validity == Validity.FIXED
    assert gratis.requires_selection == ["personeel", "vrijwilliger"]
    assert gratis.patron_limit == PatronLimit.ONE_AT_A_TIME
    assert not gratis.online_signup and gratis.desk_only


def test_leesklik_is_free_without_an_end_and_the_trial_is_a_month_once_ever(
    db_session: Session,
) -> None:
    leesklik = db_session.get_one(SubscriptionType, "0006")
    assert leesklik.price == 0 and leesklik.validity == Validity.FIXED
    assert not leesklik.online_signup and leesklik.patron_limit is None
    trial = db_session.get_one(SubscriptionType, "0090")
    assert (trial.price, trial.term_months, trial.validity) == (0, 1, Validity.EXACT)
    assert trial.patron_limit == PatronLimit.ONCE_EVER and not trial.renews
    assert not trial.online_signup


def test_the_selection_codes_are_loaded_without_discounts_and_no_fee_is_set(
    db_session: Session,
) -> None:
    selections = db_session.scalars(select(Selection).order_by(Selection.sort_order)).all()
    assert [s.code for s in selections] == ["boekstart", "personeel", "vrijwilliger"]
    assert selections[2].name("nl") == "Vrijwilliger" and selections[2].name("en") == "Volunteer"
    assert all(s.discount_amount is None and s.discount_percent is None for s in selections)
    fees = set(db_session.scalars(select(SubscriptionType.registration_fee)))
    assert fees == {Decimal("0.00")}


def test_a_fee_of_the_organisation_holds_unless_a_subscription_sets_its_own(
    db_session: Session, tmp_path: Path
) -> None:
    free = subscription_entry("0001", 'registration_fee = "0.00"')
    load_catalogue(db_session, catalogue(tmp_path, BASIS + free, 'registration_fee = "2.50"'))
    assert db_session.get_one(SubscriptionType, "0045").registration_fee == Decimal("2.50")
    assert db_session.get_one(SubscriptionType, "0001").registration_fee == 0


def test_a_discount_is_an_amount_or_a_percentage(db_session: Session, tmp_path: Path) -> None:
    text = selection_entry("actie", 'discount = "5.00"') + selection_entry(
        "korting", 'discount = "12.5%"'
    )
    load_catalogue(db_session, catalogue(tmp_path, text))
    actie, korting = (
        db_session.get_one(Selection, "actie"),
        db_session.get_one(Selection, "korting"),
    )
    assert (actie.discount_amount, actie.discount_percent) == (Decimal("5.00"), None)
    assert (korting.discount_amount, korting.discount_percent) == (None, Decimal("12.5"))


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        (subscription_entry("0001", 'requires_selection = ["baas"]'), "names no selection"),
        (subscription_entry("0001", 'patron_limit = "twice"'), "patron_limit must be"),
        (
            subscription_entry("0090", 'patron_limit = "once_ever"', "online_signup = true"),
            "need the desk",
        ),
        (
            selection_entry("personeel")
            + subscription_entry(
                "0001", 'requires_selection = ["personeel"]', "online_signup = true"
            ),
            "need the desk",
        ),
        (subscription_entry("0001").replace('"0.00"', '"5.00"'), "without an end is free"),
        (subscription_entry("0001", 'registration_fee = "-1.00"'), "not negative"),
        (subscription_entry("0001", 'registration_fee = "gratis"'), "no number"),
        (selection_entry("actie", 'discount = "0"'), "more than nothing"),
        (selection_entry("actie", 'discount = "-5.00"'), "more than nothing"),
        (selection_entry("actie", 'discount = "120%"'), "at most 100%"),
        (selection_entry("actie", 'discount = "NaN"'), "no number"),
        (selection_entry("actie", 'discount = "vijf"'), "no number"),
        ('[[selection]]\ncode = "actie"\nnames = { en = "Action" }\n', "Dutch name"),
    ],
)
def test_rules_that_cannot_hold_are_refused(
    db_session: Session, tmp_path: Path, text: str, refusal: str
) -> None:
    with pytest.raises(CatalogueError, match=refusal):
        load_catalogue(db_session, catalogue(tmp_path, text))


def test_the_guest_subscriptions_are_free_with_125_loan_strips(db_session: Session) -> None:
    first = db_session.get_one(SubscriptionType, "0346")
    again = db_session.get_one(SubscriptionType, "0345")
    assert (first.guest, first.term_months, again.guest, again.term_months) == (
        GuestRegistration.FIRST,
        3,
        GuestRegistration.AGAIN,
        12,
    )
    for kind in (first, again):
        assert (kind.price, kind.loan_strips, kind.renews, kind.online_signup) == (
            0,
            125,
            False,
            False,
        )


@pytest.mark.parametrize(
    ("lines", "said"),
    [
        (('guest = "sometimes"', "renews = false"), "guest must be from"),
        (('guest = "first"',), "a guest's is free, once, not online"),
        (("loan_strips = -1",), "loan_strips is a number of strips"),
        (('loan_strips = "125"',), "loan_strips is a number of strips"),
    ],
)
def test_a_guest_subscription_that_cannot_hold_is_refused(
    db_session: Session, tmp_path: Path, lines: tuple[str, ...], said: str
) -> None:
    path = catalogue(tmp_path, subscription_entry("9346", *lines))
    with pytest.raises(CatalogueError, match=said):
        load_catalogue(db_session, path)


def test_two_subscriptions_for_the_same_guest_registration_are_refused(
    db_session: Session, tmp_path: Path
) -> None:
    lines = ('guest = "first"', "renews = false")
    entries = subscription_entry("9346", *lines) + subscription_entry("9347", *lines)
    with pytest.raises(CatalogueError, match="guest = 'first': in more than one"):
        load_catalogue(db_session, catalogue(tmp_path, entries))
