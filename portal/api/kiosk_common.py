"""The kiosk API's blueprint and what its views share: device and ticket checks, request
validation from the schemas, and errors as `{"error": code, ...details}`."""

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, NoReturn

import marshmallow as ma
from flask import current_app, g, jsonify, request
from flask_smorest import Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.wrappers import Response

from portal.api.kiosk_schemas import Error
from portal.extensions import csrf, db
from portal.wiring import now
from shared.errors import DomainError
from shared.kiosks.devices import authenticate
from shared.kiosks.id_checks import DocumentReading
from shared.kiosks.tickets import Proof, read_ticket
from shared.models.kiosk import KioskDevice
from shared.models.patron import Patron
from shared.patrons.lookup import find_patron, surviving
from shared.payments.provider import PaymentProviderError, PaymentRefused, ProviderUnauthorized
from shared.refusals import http_status

log = logging.getLogger(__name__)
TICKET_HEADER = "X-Kiosk-Ticket"
ANY_PROOF = frozenset(Proof)
MAX_BODY = 64 * 1024  # the largest call (an identify with a code) is well under a kilobyte
DEVICE: list[dict[str, list[str]]] = [{"device": []}]
DEVICE_AND_TICKET: list[dict[str, list[str]]] = [{"device": [], "ticket": []}]
REFUSED = "Refused: `error` is the code of the rule (shared/refusals.py), with its details"


class RequestParser(FlaskParser):
    """Reads a request by its schema; anything that does not fit is `bad_request`."""

    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req: Any) -> Any:
        """The JSON body; a body of another type, or nested too deep to read, is refused."""
        body = req.get_data(cache=True)
        if not body:
            return core.missing
        if not is_json_request(req):
            refuse("json", "Send the body as application/json.")
        try:
            return core.parse_json(body)
        except RecursionError:
            refuse("json", "The JSON is nested too deeply.")

    def _handle_invalid_json_error(self, error: Exception, req: Any, *args: Any, **kw: Any) -> Any:
        """Not JSON at all."""
        refuse("json", "The body is not valid JSON.")

    def handle_error(self, error: ma.ValidationError, req: Any, schema: Any, **kw: Any) -> Any:
        """A field that does not fit its schema: which one(s), and why (the first reason)."""
        messages = error.messages if isinstance(error.messages, Mapping) else {}
        location, problems = next(iter(messages.items()), ("json", {}))
        fields = problems if isinstance(problems, Mapping) else {"_schema": problems}
        refuse(", ".join(sorted(map(str, fields))), _first_message(fields), location)


def refuse(field: str, message: str, location: str = "json") -> NoReturn:
    """A request that is not what the schema says."""
    raise DomainError("bad_request", field=field, location=location, message=message)


def _first_message(problems: Mapping[Any, Any]) -> str:
    """The first reason marshmallow gave, for a human reading the answer."""
    field, reasons = next(iter(problems.items()))
    while isinstance(reasons, Mapping):
        field, reasons = next(iter(reasons.items()))
    reason = reasons[0] if isinstance(reasons, list) and reasons else reasons
    return f"{field}: {reason}"


class KioskBlueprint(Blueprint):
    """A flask-smorest blueprint whose arguments are refused as `bad_request`, and whose views
    are described in the OpenAPI document when that is first asked for."""

    ARGUMENTS_PARSER = RequestParser()

    def register_views_in_doc(
        self, api: Any, app: Any, spec: Any, *, name: str, parameters: Any
    ) -> None:
        """Describe the views later, by the api's `document()`: describing them takes half of
        the portal's start-up, and most portal processes never serve the document."""
        describe = super().register_views_in_doc
        api.undescribed.append(lambda: describe(api, app, spec, name=name, parameters=parameters))

    def refusing(self, *statuses: int) -> Callable[[Any], Any]:
        """Document the error answers a call may give (401 always) with the Error schema."""

        def decorate(view: Any) -> Any:
            for status in sorted({401, *statuses}, reverse=True):
                view = self.alt_response(status, schema=Error, description=REFUSED)(view)
            return view

        return decorate


bp = KioskBlueprint("kiosk_api", __name__, url_prefix="/api/kiosk/v1")
csrf.exempt(bp)


@bp.before_request
def require_device() -> Response | None:
    """Every call carries a registered kiosk's token: `Authorization: Bearer <token>`."""
    request.max_content_length = MAX_BODY
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    device = authenticate(db.session(), token, now()) if scheme == "Bearer" and token else None
    if device is None:
        response = jsonify(error="unauthorized", message="A valid kiosk device token is needed.")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="kiosk"'
        return response
    db.session.commit()
    g.kiosk = device
    return None


@bp.errorhandler(DomainError)
def refused(error: DomainError) -> tuple[Response, int]:
    """A rule said no: the code and its details, for the kiosk to explain in its language."""
    db.session.rollback()
    body = {"error": error.code, **{k: _json_text(v) for k, v in error.params.items()}}
    return jsonify(body), http_status(error.code)


def _json_text(value: object) -> str:
    """A refusal's detail as JSON text: moments in ISO 8601."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


@bp.errorhandler(PaymentProviderError)
def provider_down(error: PaymentProviderError) -> tuple[Response, int]:
    """The payment service is unreachable: nothing was written, the kiosk may retry. While
    Mollie refuses our key (staff have the alarm) paying is stopped: no use retrying."""
    db.session.rollback()
    if isinstance(error, ProviderUnauthorized):
        return jsonify(error="payments_stopped"), 503
    if isinstance(error, PaymentRefused):
        log.error("kiosk %s: Mollie refused the payment: %s", g.get("kiosk"), error)
        return jsonify(error="payment_refused", reason=error.reason), 422
    log.error("kiosk %s: payment provider unavailable: %s", g.get("kiosk"), error)
    return jsonify(error="provider_unavailable"), 503


def kiosk() -> KioskDevice:
    """The kiosk making this call."""
    return g.kiosk


def ticket_patron(allowed: frozenset[Proof] = ANY_PROOF) -> Patron:
    """The patron of this kiosk's ticket, if they proved themselves in an allowed way."""
    secret = current_app.config["SECRET_KEY"]
    ticket = read_ticket(secret, request.headers.get(TICKET_HEADER, ""), kiosk().id, now())
    ticket.require(allowed)
    patron = db.session.get(Patron, ticket.patron_id)
    if patron is None:
        raise DomainError("ticket_invalid")
    return surviving(db.session(), patron)  # merged into another record meanwhile


def number_patron(number: str) -> Patron:
    """The patron with this customer, system or card number; `not_found` otherwise."""
    patron = find_patron(db.session(), number)
    if patron is None:
        raise DomainError("not_found")
    return patron


def document_reading(body: dict[str, Any]) -> DocumentReading:
    """What the kiosk read from an ID document, as the request gives it."""
    return DocumentReading(
        document_type=body["document_type"],
        surname=body["surname"],
        birth_date=body["birth_date"],
        expiry_date=body["expiry_date"],
        sod_hash_ok=body["sod_hash_ok"],
    )
