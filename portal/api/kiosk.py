"""The kiosk API under /api/kiosk/v1: the blueprint with all its calls, and the device's own."""

from flask import jsonify
from werkzeug.wrappers import Response

from portal.api import kiosk_cards, kiosk_patrons, kiosk_payments
from portal.api.kiosk_common import bp, json_body, kiosk
from portal.api.kiosk_openapi import openapi_document
from portal.extensions import db
from portal.wiring import now
from shared.errors import DomainError
from shared.kiosks.devices import report_health

# Importing the call modules registers their views on the one blueprint.
__all__ = ["bp", "kiosk_cards", "kiosk_patrons", "kiosk_payments"]


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())


@bp.post("/heartbeat")
def heartbeat() -> Response:
    """Store the states of the kiosk's devices; says whether the kiosk counts as degraded."""
    body = json_body()
    devices, software = body.get("devices"), body.get("software", "")
    if not isinstance(devices, dict) or not isinstance(software, str):
        raise DomainError("bad_request", field="devices")
    degraded = report_health(db.session(), kiosk(), devices, software, now())
    db.session.commit()
    return jsonify(status="degraded" if degraded else "ok", server_time=now().isoformat())
