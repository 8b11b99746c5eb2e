"""Merging duplicate patron records (*ontdubbelen*): everything of one record moves to the
record that stays, with the personal details the desk chose per field; the other record is kept
as merged into it (never deleted), and its numbers find the record it went into."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import MetaData, Table, delete, func, select, update
from sqlalchemy.orm import Session

from shared.cards.lookup import main_card
from shared.cards.secondary import attach_secondaries
from shared.db import Base, commits_own_work, lock_row, rows_changed, table_of
from shared.desk import audit
from shared.desk.merge_customer import kept_customer
from shared.desk.merge_sides import FIELDS, fingerprint, side_of
from shared.errors import DomainError
from shared.models.account import AccountStatus, LoginAccount
from shared.models.card import CardStatus
from shared.models.mail import OutboxMail
from shared.models.name_key import PatronNameKey
from shared.models.patron import CustomerType, Patron, Subscription, SubscriptionStatus
from shared.oidc.tokens import revoke_for_account
from shared.patrons.name_keys import index_names
from shared.payments.direct_debit import collected
from shared.timeutil import local_today

MERGED = "patron.merged"  # the audit log's action, on both records


class Handling(StrEnum):
    """What a merge does with the rows of a table that point at the merged record."""

    MOVE = "move"  # they go to the record that stays
    REINDEX = "reindex"  # dropped, and made again from the names the record keeps
    KEEP = "keep"  # they stay: a record of what happened to that record


# Every column referring to patron.id, and what a merge does with its rows. A table added with
# such a column must be named here: a merge refuses to run until it is (and a test says so).
REFERENCES: dict[tuple[str, str], Handling] = {
    ("card", "patron_id"): Handling.MOVE,
    ("collection_code", "patron_id"): Handling.MOVE,
    ("desk_id_check", "patron_id"): Handling.MOVE,
    ("id_check", "patron_id"): Handling.MOVE,
    ("ledger_entry", "patron_id"): Handling.MOVE,
    ("letter", "patron_id"): Handling.MOVE,
    ("mandate", "patron_id"): Handling.MOVE,
    ("payment", "patron_id"): Handling.MOVE,
    ("registration", "patron_id"): Handling.MOVE,
    ("subscription", "patron_id"): Handling.MOVE,
    ("waiver", "patron_id"): Handling.MOVE,
    # Records merged into this one before: one step from any of them reaches the survivor.
    ("patron", "merged_into_id"): Handling.MOVE,
    ("patron_name_key", "patron_id"): Handling.REINDEX,
    # The audit log is append-only (a trigger refuses updates): each entry stays with the record
    # it was about, and `patron.merged` on both records links them.
    ("audit_entry", "patron_id"): Handling.KEEP,
    # A guest's record is who they are at their home library: never merged (refused).
    ("guest_home", "patron_id"): Handling.KEEP,
}
# Mails name their patron without a foreign key (a mail outlives its login); they move too.
UNLINKED = (table_of(OutboxMail).c.patron_id,)
LOGIN, MAIN_CARD = "login", "main_card"  # chosen as well, when both records have one
CUSTOMER = "mollie_customer_id"  # not chosen: the one whose direct debit can move money
CHOICES = frozenset(FIELDS) | {LOGIN, MAIN_CARD}
# A field that goes along with a chosen one.
ALONG = {"library_email": ("library_email_confirmed_at",)}


def patron_references(metadata: MetaData) -> set[tuple[str, str]]:
    """Every (table, column) with a foreign key to patron.id."""
    return {
        (table.name, key.parent.name)
        for table in metadata.tables.values()
        for key in table.foreign_keys
        if key.column.table.name == "patron" and key.column.name == "id"
    }


def unclassified(metadata: MetaData) -> set[tuple[str, str]]:
    """The columns referring to patron.id that REFERENCES does not say what to do with."""
    return patron_references(metadata) - set(REFERENCES)


def conflicting(
    one: Patron, other: Patron, today: date
) -> tuple[Subscription, Subscription] | None:
    """A subscription of each record that has not ended, if both have one: one record cannot
    hold two (renewals, the kiosk and the desk take the longest-running as the patron's)."""
    mine, theirs = _not_ended(one, today), _not_ended(other, today)
    return (mine[0], theirs[0]) if mine and theirs else None


def _not_ended(patron: Patron, today: date) -> list[Subscription]:
    """The patron's subscriptions running or still to come, the longest-running first; one
    cancelled now (valid through today) has ended: it never renews."""
    return sorted(
        (s for s in patron.subscriptions if _runs_after(s, today)),
        key=lambda s: (s.runs_through, s.id),
        reverse=True,
    )


def _runs_after(subscription: Subscription, today: date) -> bool:
    """Whether it runs after today (or through a grace period), or may renew tonight (ends
    today, not cancelled). A direct debit not cancelled always does: its end date moves only
    when a collection is reported paid (one under way, or one failed while the schedule runs
    on, leaves it in the past), and a refused one's schedule resumes when the refusal is
    lifted."""
    if collected(subscription):
        return True
    if subscription.runs_through == today:
        return subscription.status != SubscriptionStatus.CANCELLED
    return subscription.runs_through > today


@dataclass(frozen=True)
class Choice:
    """What the desk chose: the fields (and login, main card) taken from the other record, in
    the desk's language, on a page that showed the records as `shown` (their fingerprint)."""

    take: frozenset[str]
    shown: str
    locale: str


@dataclass(frozen=True)
class Merged:
    """What a merge did: the record that stays, and how many rows moved per table."""

    survivor: Patron
    moved: dict[str, int]


@commits_own_work
def merge_committing(
    session: Session,
    staff: LoginAccount,
    survivor: Patron,
    other: Patron,
    choice: Choice,
    now: datetime,
) -> Merged:
    """Merge `other` into `survivor` as the desk chose, in the audit log, and commit: all of it
    or (on any failure) nothing."""
    _lock_in_order(session, survivor, other)
    take = choice.take
    refuse(session, survivor, other, now, choice.locale)
    if choice.shown != fingerprint(side_of(session, survivor), side_of(session, other)):
        raise DomainError("merge_changed")
    before = {patron.id: _audited(session, patron) for patron in (survivor, other)}
    survivor.mollie_customer_id = kept_customer(session, survivor, other, now)
    replaced = _one_main_card(session, survivor, other, MAIN_CARD in take)
    blocked = _one_login(session, survivor, other, LOGIN in take)
    moved = _move_rows(session, survivor.id, other.id)
    attach_secondaries(session, survivor)
    _take_fields(survivor, other, take)
    other.merged_into_id, other.merged_at = survivor.id, now
    session.flush()
    _file_names(session, survivor, other)
    _check_nothing_left(session, other.id)
    after = _audited(session, survivor) | {"merged": other.customer_number}
    after |= {"moved": _listed(moved), "taken": _listed(take)}
    after |= {"card_replaced": replaced, "login_blocked": blocked}
    audit.record(session, staff, MERGED, now, survivor.id, before[survivor.id], after)
    into = {"merged_into": survivor.customer_number, "moved": _listed(moved)}
    audit.record(session, staff, MERGED, now, other.id, before[other.id], into)
    session.commit()
    return Merged(survivor, moved)


def _lock_in_order(session: Session, one: Patron, other: Patron) -> None:
    """Hold both records, the lower id first (two merges of the same pair never deadlock), and
    read them again as they are now: their subscriptions, cards and login too (the checks
    and the fingerprint must see what was committed before the lock, not what a page read)."""
    for patron in sorted((one, other), key=lambda p: p.id):
        lock_row(session, Patron, patron.id)  # on SQLite: the write lock
        # On PostgreSQL FOR UPDATE, not the no-op UPDATE's FOR NO KEY UPDATE: a row being added
        # that refers to the record (its foreign key check holds FOR KEY SHARE) is waited for,
        # so the moves see it, and one started later waits for the merge.
        session.execute(select(Patron.id).where(Patron.id == patron.id).with_for_update())
    session.expire_all()


def refuse(session: Session, survivor: Patron, other: Patron, now: datetime, locale: str) -> None:
    """Refuse a merge of a record with itself, with or of a merged record, of a guest's, of
    two records that each have a subscription not ended or a direct debit that can still move
    money (at two payment provider customers), and while a table's rows have no rule here."""
    if survivor.id == other.id:
        raise DomainError("merge_same_patron")
    for patron in (survivor, other):
        if patron.merged_into_id is not None:
            raise DomainError("merge_already_merged", number=patron.customer_number)
    if any(patron.customer_type == CustomerType.GUEST for patron in (survivor, other)):
        raise DomainError("merge_guest")
    pair = conflicting(survivor, other, local_today(now))
    if pair is not None:
        kept, theirs = (_described(s, locale) for s in pair)
        raise DomainError("merge_subscriptions_conflict", kept=kept, other=theirs)
    kept_customer(session, survivor, other, now)
    if unclassified(Base.metadata):
        raise RuntimeError(f"merge: no rule for {sorted(unclassified(Base.metadata))}")


def _described(subscription: Subscription, locale: str) -> str:
    """A subscription as a refusal names it: its name and last day."""
    return f"{subscription.type.name(locale)} ({subscription.runs_through:%d-%m-%Y})"


def _audited(session: Session, patron: Patron) -> dict[str, Any]:
    """What the audit log keeps of a record before and after: its details, login, card and
    payment provider customer."""
    main, customer = _main_number(session, patron), patron.mollie_customer_id
    return _fields(patron) | {LOGIN: patron.login_account_id, MAIN_CARD: main, CUSTOMER: customer}


def _fields(patron: Patron) -> dict[str, Any]:
    """The personal details the desk chooses between, as the record has them."""
    return {name: getattr(patron, name) for name in FIELDS}


def _main_number(session: Session, patron: Patron) -> str | None:
    """The number of the record's active main card, if it has one."""
    card = main_card(session, patron)
    return card.number if card is not None else None


def _one_main_card(session: Session, survivor: Patron, other: Patron, theirs: bool) -> str | None:
    """Of two active main cards one stays (the survivor's, or the other's when chosen); the
    other is replaced, its number still finding the patron. The number replaced; lending goes
    with the card that stays (the record without one may be blocked for it)."""
    mine, their_card = main_card(session, survivor), main_card(session, other)
    if their_card is not None and (mine is None or theirs):
        survivor.lending_blocked = other.lending_blocked
    if mine is None or their_card is None:
        return None
    gone = mine if theirs else their_card
    gone.status = CardStatus.REPLACED
    kept = their_card if theirs else mine
    _rename_login_of(session, survivor, other, gone.number, kept.number)
    return gone.number


def _rename_login_of(session: Session, survivor: Patron, other: Patron, old: str, new: str) -> None:
    """A login of the two named after the replaced card is named after the card that stays."""
    for account in (survivor.login_account, other.login_account):
        if account is not None and account.username_key == old.casefold():
            taken = select(LoginAccount.id).where(LoginAccount.username_key == new.casefold())
            if session.scalar(taken) is None:
                account.username, account.username_key = new, new.casefold()


def _one_login(session: Session, survivor: Patron, other: Patron, theirs: bool) -> str | None:
    """The record that stays gets one login: its own, or the other's when chosen or its own is
    missing. The login that no record uses any more is blocked, never lost: its username."""
    mine, their_login = survivor.login_account, other.login_account
    other.login_account = None
    if their_login is None or their_login is mine:
        return None
    if mine is not None and not theirs:
        return _block_if_unused(session, their_login, other)
    survivor.login_account = their_login
    return None if mine is None else _block_if_unused(session, mine, survivor)


def _block_if_unused(session: Session, account: LoginAccount, leaving: Patron) -> str | None:
    """Block the login when no other record uses it (a guest library's record may); its
    username, when blocked."""
    session.flush()
    users = select(Patron.id).where(Patron.login_account_id == account.id, Patron.id != leaving.id)
    if session.scalar(users.limit(1)) is not None:
        return None
    account.status = AccountStatus.BLOCKED
    revoke_for_account(session, account.id)  # its single sign-on tokens end with it
    return account.username


def _move_rows(session: Session, survivor_id: int, other_id: int) -> dict[str, int]:
    """Point every row of the other record at the survivor; how many per table."""
    session.flush()
    moved: dict[str, int] = {}
    for column in _moved_columns():
        statement = (
            update(column.table)
            .where(column == other_id)
            .values({column.name: survivor_id})
            .execution_options(synchronize_session=False)
        )
        count = rows_changed(session, statement)
        if count:
            moved[column.table.name] = moved.get(column.table.name, 0) + count
    session.expire_all()
    return moved


def _check_nothing_left(session: Session, other_id: int) -> None:
    """Refuse (all is rolled back) when a row still names the merged record after the moves:
    one committed meanwhile by a process that did not wait for the record's lock."""
    session.flush()
    for column in _moved_columns() + _columns(Handling.REINDEX):
        left = select(func.count()).select_from(column.table).where(column == other_id)
        if session.scalar(left):
            raise DomainError("merge_changed")


def _moved_columns() -> list[Any]:
    """The columns whose rows a merge moves, in a fixed order."""
    return _columns(Handling.MOVE) + list(UNLINKED)


def _columns(how: Handling) -> list[Any]:
    """The columns referring to patron.id that a merge handles as `how`, in a fixed order."""
    tables: dict[str, Table] = dict(Base.metadata.tables)
    handled = sorted(key for key, rule in REFERENCES.items() if rule == how)
    return [tables[name].c[column] for name, column in handled]


def _take_fields(survivor: Patron, other: Patron, take: Iterable[str]) -> None:
    """Copy the chosen fields (and what goes along with them) from the other record."""
    for name in sorted(set(take) & set(FIELDS)):
        for field in (name, *ALONG.get(name, ())):
            setattr(survivor, field, getattr(other, field))


def _file_names(session: Session, survivor: Patron, other: Patron) -> None:
    """The search finds the survivor by its names now, and the merged record by none."""
    session.execute(delete(PatronNameKey).where(PatronNameKey.patron_id == other.id))
    index_names(session, survivor)


def _listed(values: Iterable[str] | dict[str, int]) -> str:
    """Names (or names with counts) as one line of text for the audit log."""
    if isinstance(values, dict):
        return ", ".join(f"{name}: {count}" for name, count in sorted(values.items()))
    return ", ".join(sorted(values))
