"""Load a library organisation's catalogue file (TOML) into the database, updating by code."""

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.db import insert_or_ignore
from shared.models.catalogue import (
    Branch,
    CancelReason,
    CatalogueVersion,
    GuestRegistration,
    PatronLimit,
    Selection,
    SubscriptionType,
    Validity,
)
from shared.models.patron import PaymentPlan

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_CATALOGUE = DATA_DIR / "biblionet-drenthe.toml"
COLLECTABLE = {Validity.END_OF_MONTH, Validity.EXACT}


class CatalogueError(ValueError):
    """A catalogue file that cannot be loaded as it is."""


def load_catalogue(session: Session, path: Path = DEFAULT_CATALOGUE) -> tuple[int, int]:
    """Insert or update the file's subscriptions, selection codes, branches and reasons for
    cancelling; returns the counts of subscriptions and branches."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    organisation = data["organisation"]
    subscriptions = data.get("subscription", [])
    branches = data.get("branch", [])
    isils = _isil_directory(data.get("isil", []))
    _check_next_codes(subscriptions)
    _check_one_per_guest_registration(subscriptions)
    selections = [_selection_values(entry, organisation) for entry in data.get("selection", [])]
    for order, values in enumerate(selections):
        _upsert(session, Selection, "code", {**values, "sort_order": order})
    fee = data.get("registration_fee", "0.00")
    for order, entry in enumerate(subscriptions):
        entry = {"registration_fee": fee, **entry}
        values = _subscription_values(entry, organisation, {s["code"] for s in selections})
        _upsert(session, SubscriptionType, "code", {**values, "sort_order": order})
    for entry in branches:
        if entry["code"] not in isils:
            raise CatalogueError(f"branch {entry['code']}: no ISIL of the organisation covers it")
        values = {**entry, "organisation": organisation, "isil": isils[entry["code"]]}
        _upsert(session, Branch, "code", values)
    _load_cancel_reasons(session, data.get("cancel_reason", []), organisation)
    session.flush()
    _count_load(session)
    return len(subscriptions), len(branches)


def _count_load(session: Session) -> None:
    """Count this load, in its transaction: every process reads the catalogue again once it
    commits."""
    insert_or_ignore(session, CatalogueVersion, {"id": 1, "version": 0})
    session.execute(update(CatalogueVersion).values(version=CatalogueVersion.version + 1))


def _check_next_codes(subscriptions: list[dict[str, Any]]) -> None:
    """Each subscription a holder moves on to (next_code) is one of the file's, and free: the
    move happens on a birthday, unasked, so nothing can be charged for it (a paid one the
    patron chooses in Mijn account or at the desk)."""
    by_code = {entry["code"]: entry for entry in subscriptions}
    for entry in (entry for entry in subscriptions if "next_code" in entry):
        following = by_code.get(entry["next_code"])
        if following is None:
            raise CatalogueError(f"subscription {entry['code']}: next_code names no subscription")
        if _amount(following, "price") > 0:
            raise CatalogueError(f"subscription {entry['code']}: next_code names a paid one")


def _check_one_per_guest_registration(subscriptions: list[dict[str, Any]]) -> None:
    """At most one subscription for a guest's first registration and one for registering again:
    a guest is given it, nobody chooses."""
    guests = [entry["guest"] for entry in subscriptions if entry.get("guest") is not None]
    for which in set(guests):
        if guests.count(which) > 1:
            raise CatalogueError(f"guest = {which!r}: in more than one subscription")


def _load_cancel_reasons(
    session: Session, entries: list[dict[str, Any]], organisation: str
) -> None:
    """The reasons for cancelling, in the file's order, each with a Dutch label."""
    for order, entry in enumerate(entries):
        if "nl" not in entry.get("labels", {}):
            raise CatalogueError(f"cancel reason {entry.get('code')}: a Dutch label is required")
        values = {**entry, "organisation": organisation, "sort_order": order}
        _upsert(session, CancelReason, "code", values)


def _isil_directory(entries: list[dict[str, Any]]) -> dict[str, str]:
    """The ISIL code of each branch prefix, from the file's ISIL entries (a prefix in two is an
    error: the card's owner must be one library)."""
    directory: dict[str, str] = {}
    for entry in entries:
        for prefix in entry["branches"]:
            if directory.setdefault(prefix, entry["code"]) != entry["code"]:
                raise CatalogueError(f"branch prefix {prefix}: in more than one ISIL entry")
    return directory


def _subscription_values(
    entry: dict[str, Any], organisation: str, selections: set[str]
) -> dict[str, Any]:
    """Column values of one subscription entry, checked."""
    if entry.get("validity") not in set(Validity):
        raise CatalogueError(f"subscription {entry.get('code')}: unknown validity rule")
    if "nl" not in entry["names"] or "nl" not in entry["summaries"]:
        raise CatalogueError(f"subscription {entry['code']}: a Dutch name and summary are required")
    plans = entry.get("payment_plans", [PaymentPlan.ONCE])
    if not plans or not set(plans) <= set(PaymentPlan):
        allowed = ", ".join(PaymentPlan)
        raise CatalogueError(f"subscription {entry['code']}: payment_plans must be from {allowed}")
    price = _amount(entry, "price")
    if PaymentPlan.DIRECT_DEBIT in plans and (price <= 0 or entry["validity"] not in COLLECTABLE):
        raise CatalogueError(f"subscription {entry['code']}: direct debit needs a price and a term")
    if entry["validity"] == Validity.FIXED and price > 0:
        raise CatalogueError(f"subscription {entry['code']}: one without an end is free")
    values = {**entry, "validity": Validity(entry["validity"]), "price": price}
    values |= _rules(entry, selections) | {"registration_fee": _amount(entry, "registration_fee")}
    values |= _guest_rules(entry, price)
    return {**values, "payment_plans": plans, "organisation": organisation}


def _rules(entry: dict[str, Any], selections: set[str]) -> dict[str, Any]:
    """The subscription's rules for the desk, checked: the selection codes of which one is
    needed (each in the file), how often a patron may have it, and neither online."""
    required = entry.get("requires_selection", [])
    if not set(required) <= selections:
        raise CatalogueError(f"subscription {entry['code']}: requires_selection names no selection")
    limit = entry.get("patron_limit")
    if limit is not None and limit not in set(PatronLimit):
        allowed = ", ".join(PatronLimit)
        raise CatalogueError(f"subscription {entry['code']}: patron_limit must be from {allowed}")
    if (required or limit) and entry.get("online_signup"):
        raise CatalogueError(f"subscription {entry['code']}: its rules need the desk, not online")
    return {"requires_selection": required, "patron_limit": limit and PatronLimit(limit)}


def _guest_rules(entry: dict[str, Any], price: Decimal) -> dict[str, Any]:
    """Which guest registration it is for, checked (free, one term, never online), and its
    loan strips."""
    strips = entry.get("loan_strips")
    if strips is not None and (type(strips) is not int or strips < 0):
        raise CatalogueError(f"subscription {entry['code']}: loan_strips is a number of strips")
    guest = entry.get("guest")
    if guest is None:
        return {"guest": None, "loan_strips": strips}
    if guest not in set(GuestRegistration):
        allowed = ", ".join(GuestRegistration)
        raise CatalogueError(f"subscription {entry['code']}: guest must be from {allowed}")
    if price > 0 or entry.get("online_signup") or entry.get("renews", True):
        raise CatalogueError(f"subscription {entry['code']}: a guest's is free, once, not online")
    return {"guest": GuestRegistration(guest), "loan_strips": strips}


def _selection_values(entry: dict[str, Any], organisation: str) -> dict[str, Any]:
    """Column values of one selection code, checked; `discount` is an amount ("5.00") or a
    percentage ("10%") off the first period."""
    if "nl" not in entry.get("names", {}):
        raise CatalogueError(f"selection {entry.get('code')}: a Dutch name is required")
    values = {"code": entry["code"], "names": entry["names"], "organisation": organisation}
    discount = str(entry.get("discount", "")).strip()
    if discount.endswith("%"):
        percent = _positive(entry, discount.removesuffix("%"))
        if percent > 100:
            raise CatalogueError(f"selection {entry['code']}: a discount is at most 100%")
        return values | {"discount_percent": percent, "discount_amount": None}
    amount = _positive(entry, discount) if discount else None
    return values | {"discount_amount": amount, "discount_percent": None}


def _amount(entry: dict[str, Any], name: str) -> Decimal:
    """An amount of the entry that may be nothing, never less."""
    amount = _decimal(entry, entry[name])
    if amount < 0:
        raise CatalogueError(f"{entry['code']}: {name} is not negative")
    return amount


def _positive(entry: dict[str, Any], text: str) -> Decimal:
    """A number of the entry above nothing."""
    number = _decimal(entry, text)
    if number <= 0:
        raise CatalogueError(f"{entry['code']}: a discount is more than nothing")
    return number


def _decimal(entry: dict[str, Any], text: str) -> Decimal:
    """A number of the entry, written as a string ("58.00")."""
    try:
        number = Decimal(str(text))
    except ArithmeticError as error:
        raise CatalogueError(f"{entry['code']}: {text!r} is no number") from error
    if not number.is_finite():
        raise CatalogueError(f"{entry['code']}: {text!r} is no number")
    return number


def _upsert(session: Session, model: type, key: str, values: dict[str, Any]) -> None:
    """Update the row with this key, or add it."""
    row = session.scalar(select(model).where(getattr(model, key) == values[key]))
    if row is None:
        session.add(model(**values))
        return
    for name, value in values.items():
        setattr(row, name, value)
