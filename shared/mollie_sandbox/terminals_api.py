"""The emulated terminals API: the preset point-of-sale terminals."""

from flask import Response

from shared.mollie_sandbox import terminals
from shared.mollie_sandbox.api import api_blueprint, listed, rendered
from shared.mollie_sandbox.store import current_store

bp = api_blueprint("sandbox_api_terminals")


@bp.get("/terminals")
def list_terminals() -> Response:
    """Every terminal, in the order they were set up."""
    every = current_store().read(terminals.every)
    return listed("terminals", every, terminals.render, terminals.DOCS + "list-terminals")


@bp.get("/terminals/<terminal_id>")
def get_terminal(terminal_id: str) -> Response:
    """One terminal."""
    terminal = current_store().read(terminals.get, terminal_id)
    return rendered(terminals.render, terminal, "get-terminal")
