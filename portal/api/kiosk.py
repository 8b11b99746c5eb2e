"""The kiosk API under /api/kiosk/v1: the blueprint with all its calls, the device's own, and
the OpenAPI document generated from the schemas that validate them."""

from collections.abc import Callable
from typing import Any, cast

from flask import Flask, jsonify
from flask_smorest import Api, current_api
from werkzeug.wrappers import Response

from portal.api import kiosk_cards, kiosk_guests, kiosk_patrons, kiosk_payments
from portal.api.kiosk_common import DEVICE, TICKET_HEADER, bp, kiosk
from portal.api.kiosk_schemas import Error, Health, Heartbeat
from portal.api.schema_fields import VariantsPlugin
from portal.extensions import db
from portal.wiring import now
from shared.kiosks.devices import report_health

# Importing the call modules registers their views on the one blueprint.
__all__ = ["bp", "kiosk_cards", "kiosk_guests", "kiosk_patrons", "kiosk_payments", "register"]
SECURITY_SCHEMES = {
    "device": {"type": "http", "scheme": "bearer", "description": "The kiosk's device token"},
    "ticket": {
        "type": "apiKey",
        "in": "header",
        "name": TICKET_HEADER,
        "description": "The ticket of the patron who identified at this kiosk",
    },
}


class KioskApiDocs(Api):
    """flask-smorest for the kiosk API's document only: the portal answers errors itself."""

    ERROR_SCHEMA = Error
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, app: Flask, **options: Any) -> None:
        """The api, with no view described yet."""
        self.undescribed: list[Callable[[], None]] = []  # see KioskBlueprint
        super().__init__(app, **options)

    def document(self) -> dict[str, Any]:
        """The OpenAPI document, its views described on the first call."""
        while self.undescribed:
            self.undescribed.pop(0)()
        return cast(dict[str, Any], self.spec.to_dict())

    def _register_error_handlers(self) -> None:
        """None: flask-smorest's would answer every error of the portal, pages too, in JSON."""


def register(app: Flask) -> None:
    """Attach the kiosk API to the portal and describe it (OpenAPI 3.1)."""
    docs = KioskApiDocs(
        app,
        spec_kwargs={
            "title": "OpenBalie kiosk API",
            "version": "1",
            "openapi_version": "3.1.0",
            "extra_plugins": [VariantsPlugin()],
            "security": DEVICE,
        },
    )
    for name, scheme in SECURITY_SCHEMES.items():
        docs.spec.components.security_scheme(name, scheme)
    docs.register_blueprint(bp)


@bp.get("/openapi.json")
@bp.response(200, description="This document (OpenAPI 3.1)")
@bp.refusing()
def openapi() -> Response:
    """The OpenAPI description of this API."""
    return jsonify(current_api.document())


@bp.post("/heartbeat")
@bp.arguments(Heartbeat)
@bp.response(200, Health)
@bp.refusing(400)
def heartbeat(body: dict[str, Any]) -> dict[str, Any]:
    """Report the kiosk's device states; says whether the kiosk counts as degraded, and the
    name and address of its branch (for its receipts)."""
    device = kiosk()
    degraded = report_health(db.session(), device, body["devices"], body["software"], now())
    db.session.commit()
    status = "degraded" if degraded else "ok"
    return {"status": status, "server_time": now(), "branch": device.branch}  # Health dumps it
