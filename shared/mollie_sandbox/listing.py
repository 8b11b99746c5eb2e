"""Mollie's paginated lists: a page of `limit` records starting `from` an id, with neighbours."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from shared.mollie_sandbox import links
from shared.mollie_sandbox.errors import ApiError
from shared.mollie_sandbox.state import Record

DEFAULT_LIMIT, MAX_LIMIT = 50, 250


@dataclass(frozen=True)
class Page:
    """One page of records: where it starts, its size, and the ids that start its neighbours."""

    records: list[Record]
    from_id: str | None
    size: int
    previous_from: str | None
    next_from: str | None


def limit(raw: str | None) -> int:
    """The page size: 50 unless asked, between 1 and 250."""
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, f"The limit must be a number from 1 to {MAX_LIMIT}.", field="limit")
    return int(raw)


def page(records: list[Record], from_id: str | None, size: int) -> Page:
    """Up to `size` of the ordered `records`, starting at the one with `from_id` (included)."""
    ids = [record["id"] for record in records]
    if from_id is not None and from_id not in ids:
        raise ApiError(400, f"The 'from' object {from_id} does not exist.", field="from")
    start = ids.index(from_id) if from_id else 0
    previous_from = ids[max(start - size, 0)] if start > 0 else None
    next_from = ids[start + size] if start + size < len(ids) else None
    return Page(records[start : start + size], from_id, size, previous_from, next_from)


def body(name: str, items: list[dict[str, Any]], page: Page, url: str, docs: str) -> dict[str, Any]:
    """The list as Mollie sends it: count, the items under `_embedded.<name>`, and links."""
    return {
        "count": len(items),
        "_embedded": {name: items},
        "_links": {
            "self": _link(url, page.from_id, page.size),
            "previous": _neighbour(url, page.previous_from, page.size),
            "next": _neighbour(url, page.next_from, page.size),
            "documentation": links.html(docs),
        },
    }


def _link(url: str, from_id: str | None, size: int) -> dict[str, str]:
    """A link to the page of `size` records starting at `from_id` (or at the first)."""
    query = {"from": from_id, "limit": size} if from_id else {"limit": size}
    return links.api(f"{url}?{urlencode(query)}")


def _neighbour(url: str, from_id: str | None, size: int) -> dict[str, str] | None:
    """The link to a neighbouring page, or None when there is none."""
    return _link(url, from_id, size) if from_id else None
