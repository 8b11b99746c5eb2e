"""The sandbox's Flask app factory."""

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from shared.mollie_sandbox import (
    actions,
    api,
    chargebacks_api,
    checkout,
    control,
    customers_api,
    expiry,
    front,
    incidents,
    payments_api,
    refunds_api,
    subscriptions_api,
    terminals_api,
)
from shared.mollie_sandbox.errors import ApiError, error_response
from shared.mollie_sandbox.store import EXTENSION_KEY, SandboxStore, current_store
from shared.mollie_sandbox.terminals import DEFAULT_TERMINALS
from shared.mollie_sandbox.webhooks import RetryPolicy
from shared.paths import TEMPLATES_DIR

EMBEDDED_KEY = "test_openbalie_sandbox"  # the key the portal uses when none is configured
DEFAULTS = {
    "PUBLIC_URL": None,
    "STATE_FILE": None,
    "PROFILE_ID": "pfl_sandbox000",
    "TERMINALS": DEFAULT_TERMINALS,
    "API_KEYS": (EMBEDDED_KEY,),
    "WEBHOOK_RETRIES": RetryPolicy(),
}
CONTROL_PREFIX = "/_sandbox/"
JSON_PREFIXES = ("/v2/", CONTROL_PREFIX)
BLUEPRINTS = (
    payments_api.bp,
    chargebacks_api.bp,
    customers_api.bp,
    subscriptions_api.bp,
    refunds_api.bp,
    terminals_api.bp,
    checkout.bp,
    front.bp,
    control.bp,
    incidents.bp,
)


def create_sandbox_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The Mollie sandbox: the v2 API, the test checkout and the control endpoints."""
    app = Flask(__name__, template_folder=str(TEMPLATES_DIR), static_folder=None)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    assert isinstance(app.json, DefaultJSONProvider)  # Flask's own, as the app sets none
    app.json.sort_keys = False  # keep the field order of Mollie's own bodies
    store = SandboxStore(
        app.config["PROFILE_ID"],
        app.config["STATE_FILE"],
        app.config["TERMINALS"],
        app.config["WEBHOOK_RETRIES"],
    )
    app.extensions[EXTENSION_KEY] = store
    app.before_request(api.guard)
    app.before_request(_expire_due)
    expiry.start_sweeping(lambda: actions.expire_due(store, wait=False))
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.register_error_handler(ApiError, error_response)
    app.register_error_handler(HTTPException, _http_error)
    return app


def _expire_due() -> None:
    """Before an API call or a page: expire what is due, so the answer shows it (the sweep may
    not have come by yet). Control calls decide for themselves."""
    if not request.path.startswith(CONTROL_PREFIX):
        actions.expire_due(current_store(), wait=False)


def _http_error(error: HTTPException) -> Response | HTTPException:
    """Routing errors (404, 405) in Mollie's shape on the JSON endpoints, as HTML elsewhere."""
    if not request.path.startswith(JSON_PREFIXES) or error.code is None:
        return error
    return error_response(ApiError(error.code, error.description or error.name))
