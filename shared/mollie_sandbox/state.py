"""What the sandbox remembers: records of each kind by id, in creation order."""

import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from shared.mollie_sandbox.errors import ApiError

ID_ALPHABET = string.ascii_letters + string.digits
SAVED_KINDS = ("payments", "customers", "mandates", "subscriptions", "refunds", "chargebacks")
# A stored record keeps Mollie's JSON fields by name, so a field's type depends on its name.
Record = dict[str, Any]


@dataclass
class State:
    """Every record by kind; the profile and the preset terminals are settings, never saved."""

    profile_id: str
    terminals: dict[str, Record] = field(default_factory=dict)
    payments: dict[str, Record] = field(default_factory=dict)
    customers: dict[str, Record] = field(default_factory=dict)
    mandates: dict[str, Record] = field(default_factory=dict)
    subscriptions: dict[str, Record] = field(default_factory=dict)
    refunds: dict[str, Record] = field(default_factory=dict)
    chargebacks: dict[str, Record] = field(default_factory=dict)


def saved(state: State) -> dict[str, list[Record]]:
    """The records to write to the state file, as lists in creation order."""
    return {kind: list(getattr(state, kind).values()) for kind in SAVED_KINDS}


def restored(data: dict[str, list[Record]], profile_id: str, terminals: dict[str, Record]) -> State:
    """A state from a state file's lists; kinds a file from an older sandbox lacks start empty."""
    records = {kind: {r["id"]: r for r in data.get(kind, [])} for kind in SAVED_KINDS}
    return State(profile_id, terminals, **records)


def new_id(records: dict[str, Record], prefix: str) -> str:
    """An id not yet in `records`: Mollie's prefix for the kind and ten letters or digits."""
    record_id = _random_id(prefix)
    while record_id in records:
        record_id = _random_id(prefix)
    return record_id


def _random_id(prefix: str) -> str:
    """The prefix and ten random letters or digits."""
    return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(10))


def lookup(records: dict[str, Record], record_id: str, kind: str, **owner: str) -> Record:
    """The stored record itself, if it belongs to `owner` (paymentId=..., customerId=...);
    Mollie's 404 when there is no such record."""
    record = records.get(record_id)
    if record is None or any(record.get(name) != value for name, value in owner.items()):
        raise ApiError(404, f"No {kind} exists with token {record_id}.")
    return record


def newest_first(records: dict[str, Record], **matching: str) -> list[Record]:
    """The records whose fields equal `matching`, newest first."""
    found = [r for r in records.values() if all(r.get(k) == v for k, v in matching.items())]
    return found[::-1]
