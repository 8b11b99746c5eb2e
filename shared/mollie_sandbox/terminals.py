"""Point-of-sale terminals, preset from the TERMINALS setting as Mollie's dashboard sets them up."""

from collections.abc import Iterable, Mapping
from typing import Any

from shared.mollie_sandbox import links
from shared.mollie_sandbox.errors import ApiError
from shared.mollie_sandbox.state import Record, State, lookup

DEFAULT_TERMINALS = (
    {"id": "term_sandboxKiosk1", "description": "Kiosk terminal 1", "serialNumber": "1000000001"},
    {"id": "term_sandboxKiosk2", "description": "Kiosk terminal 2", "serialNumber": "1000000002"},
    {
        "id": "term_sandboxInactive",
        "description": "Inactive terminal",
        "serialNumber": "1000000003",
        "status": "inactive",
    },
)
PRESET_AT = "2025-01-01T09:00:00+00:00"
DOCS = "https://docs.mollie.com/reference/v2/terminals-api/"


def preset(settings: Iterable[Mapping[str, str]], profile_id: str) -> dict[str, Record]:
    """The terminals in Mollie's shape from their settings (id and description at least)."""
    terminals = [_terminal(setting, profile_id) for setting in settings]
    return {terminal["id"]: terminal for terminal in terminals}


def _terminal(setting: Mapping[str, str], profile_id: str) -> Record:
    """One terminal; what the setting leaves out is an active PAX A920 taking euros."""
    if not str(setting.get("id", "")).startswith("term_"):
        raise ValueError(f"A sandbox terminal id must start with 'term_': {setting!r}")
    return {
        "resource": "terminal",
        "id": setting["id"],
        "status": setting.get("status", "active"),
        "brand": setting.get("brand", "PAX"),
        "model": setting.get("model", "A920"),
        "serialNumber": setting.get("serialNumber", "0000000000"),
        "currency": setting.get("currency", "EUR"),
        "description": setting.get("description", setting["id"]),
        "profileId": profile_id,
        "createdAt": setting.get("createdAt", PRESET_AT),
    }


def get(state: State, terminal_id: str) -> Record:
    """The terminal; Mollie's 404 when there is none with this id."""
    return lookup(state.terminals, terminal_id, "terminal")


def every(state: State) -> list[Record]:
    """Every terminal, in the order of the setting."""
    return list(state.terminals.values())


def require_active(state: State, terminal_id: str) -> None:
    """Refuse a payment on a terminal that does not exist or is not active."""
    terminal = state.terminals.get(terminal_id)
    if terminal is None or terminal["status"] != "active":
        state_word = "does not exist" if terminal is None else f"is {terminal['status']}"
        detail = f"The terminal {terminal_id} {state_word}."
        raise ApiError(422, detail, field="terminalId", docs=DOCS + "get-terminal")


def render(
    state: State, terminal: Record, base_url: str, docs: str = "get-terminal"
) -> dict[str, Any]:
    """The terminal as the API returns it, with `_links` on this sandbox's public URL."""
    self_link = links.api(f"{base_url}/v2/terminals/{terminal['id']}")
    return {**terminal, "_links": {"self": self_link, "documentation": links.html(DOCS + docs)}}
