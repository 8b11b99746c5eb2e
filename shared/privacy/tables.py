"""Every table that holds something about a patron or their login, and what an export and an
erasure do with it: derived from the models' foreign keys, each classified here by hand, so a
new table is classified before it is merged (tests/functional/portal/test_privacy_tables.py)."""

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import MetaData, Table

ROOTS = ("patron", "login_account")
# Columns that name a patron or login without a foreign key (a mail outlives its login).
UNLINKED_COLUMNS = {"outbox_mail": ("patron_id", "account_id")}
# Tables holding a patron's data in no column that names them: the desk search's vocabulary of
# the names in patron_name_key (shared/patrons/name_keys.py).
UNLINKED_TABLES = ("name_term",)


class OnErase(StrEnum):
    """What erasing the patron does to a table's rows about them."""

    DELETED = "deleted"
    ANONYMISED = "anonymised"  # kept for the bookkeeping, without the patron
    VALUES_CLEARED = "values_cleared"  # the audit log: who, what and when stay
    KEPT = "kept"  # not the patron's (a staff login's own)
    UNLESS_SHARED = "deleted_unless_shared"  # a name another patron has too stays


@dataclass(frozen=True)
class Handling:
    """The export's key for a table's rows (None: deliberately not exported, `why`) and what
    erasing the patron does to them."""

    export_key: str | None
    on_erase: OnErase
    why: str = ""


DELETED, ANONYMISED = OnErase.DELETED, OnErase.ANONYMISED
HANDLING: dict[str, Handling] = {
    "patron": Handling("personal_data", DELETED),
    "login_account": Handling("login_account", DELETED, "unless it serves another record"),
    "card": Handling("cards", DELETED),
    "subscription": Handling("subscriptions", DELETED),
    "subscription_change": Handling("subscription_changes", DELETED),
    "membership_step": Handling("membership_steps", DELETED),
    "letter": Handling("letters", DELETED),
    "ledger_entry": Handling("ledger", DELETED, "erased only at a balance of zero"),
    "payment": Handling("payments", ANONYMISED),
    "refund": Handling("refunds", ANONYMISED),
    "chargeback": Handling("chargebacks", ANONYMISED),
    "waiver": Handling("waivers", ANONYMISED, "kept for the day reports, without its reason"),
    "mandate": Handling("mandates", DELETED),
    "id_check": Handling("id_checks", DELETED),
    "desk_id_check": Handling("desk_id_checks", DELETED),
    "guest_home": Handling("guest_home_library", DELETED),
    "registration": Handling("registration", DELETED),
    "outbox_mail": Handling("mails", DELETED),
    "audit_entry": Handling("audit_entries", OnErase.VALUES_CLEARED),
    "oidc_consent": Handling("online_services", DELETED),
    "oidc_subject": Handling(None, DELETED, "pseudonyms given to the online services"),
    "oidc_authorization_code": Handling(None, DELETED, "a secret, valid for a minute"),
    "oidc_token": Handling(None, DELETED, "secrets: access and refresh tokens"),
    "collection_code": Handling(None, DELETED, "a keyed hash of a one-time code: a secret"),
    "patron_name_key": Handling(None, DELETED, "the names of personal_data, folded for search"),
    "name_term": Handling(
        None, OnErase.UNLESS_SHARED, "the names of personal_data with their one-letter deletions"
    ),
    "staff_member": Handling(None, OnErase.KEPT, "a staff login's role and second factor"),
}
# Never exported: secrets (hashes, tokens, webhook secrets), what only repeats or renders
# another column (a mail's rendered message and context hold its links, tokens included), and
# staff members' identities (their logins and names are theirs, not the patron's data).
LEFT_OUT_COLUMNS: dict[str, frozenset[str]] = {
    "login_account": frozenset({"password_hash", "username_key"}),
    "subscription": frozenset({"webhook_secret"}),
    "payment": frozenset({"webhook_secret", "idempotency_key", "checkout_url"}),
    "refund": frozenset({"idempotency_key"}),
    "registration": frozenset({"public_id"}),
    "outbox_mail": frozenset({"message", "render_from", "dedupe_key", "lease_until"}),
    "ledger_entry": frozenset({"dedupe_key"}),
    "audit_entry": frozenset({"staff_account_id", "staff_username"}),
    "desk_id_check": frozenset({"staff_account_id", "staff_username"}),
    "letter": frozenset({"printed_by"}),
}


def patron_tables(metadata: MetaData) -> set[str]:
    """The tables whose rows are about a patron or a login: the roots, every table with a
    foreign key to one of those (again and again), and the tables of UNLINKED_COLUMNS and
    UNLINKED_TABLES."""
    found = set(ROOTS) | set(UNLINKED_COLUMNS) | set(UNLINKED_TABLES)
    grown = True
    while grown:
        more = {table.name for table in metadata.tables.values() if _refers_to(table, found)}
        grown = not more <= found
        found |= more
    return found


def _refers_to(table: Table, names: set[str]) -> bool:
    """Whether the table has a foreign key to one of these tables."""
    return any(key.column.table.name in names for key in table.foreign_keys)
