"""Which flows this branch offers (KIOSK_FLOWS): the start and patron screens show only those,
and the pages of the others answer as pages that do not exist."""

from flask import abort, current_app, request

# The flow of each blueprint's pages.
BLUEPRINT_FLOWS = {"pay": "pay", "collect": "collect", "lost": "lost", "guest": "guest"}


def offers(flow: str) -> bool:
    """Whether this kiosk offers the flow."""
    return flow in current_app.config["KIOSK_FLOWS"]


def page_flow() -> str | None:
    """The flow the requested page belongs to (None: every kiosk has it). The identify form
    serves collecting a card, and with `purpose=lost` blocking a lost one."""
    endpoint = request.endpoint or ""
    if endpoint == "collect.identify" and request.values.get("purpose") == "lost":
        return "lost"
    return BLUEPRINT_FLOWS.get(request.blueprint or "")


def refuse_flows_not_offered() -> None:
    """Before a request: a page of a flow this branch does not offer is not found."""
    flow = page_flow()
    if flow is not None and not offers(flow):
        abort(404)
