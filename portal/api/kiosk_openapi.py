"""The kiosk API described as an OpenAPI 3.1 document (docs/kiosk-api.md is the guide to it)."""

from typing import Any

from shared.kiosks.devices import DEVICE_STATES, DEVICES
from shared.kiosks.tickets import Proof
from shared.models.id_check import IdCheckOutcome, UnreadableReason

PREFIX = "/api/kiosk/v1"
DEVICE_STATE = {"type": "string", "enum": sorted(DEVICE_STATES)}


def _ref(name: str) -> dict[str, str]:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    """A JSON response or request body with this schema."""
    body = {"content": {"application/json": {"schema": schema}}}
    return {"description": description, **body} if description else body


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    """A JSON object schema."""
    return {"type": "object", "required": required, "properties": properties}


def _errors(*statuses: int) -> dict[str, Any]:
    """Error answers: `{"error": code, ...}`; 401 always."""
    return {str(s): _json(_ref("Error"), "refused (see error)") for s in (401, *statuses)}


def _call(
    summary: str,
    answers: dict[str, Any],
    body: dict[str, Any] | None = None,
    ticket: bool = False,
    parameters: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    """One operation; with a ticket it needs the X-Kiosk-Ticket header."""
    operation: dict[str, Any] = {"summary": summary, "responses": answers}
    if body is not None:
        operation["requestBody"] = {"required": True, **_json(body)}
    ticket_header = ({"$ref": "#/components/parameters/Ticket"},) if ticket else ()
    if parameters or ticket:
        operation["parameters"] = [*parameters, *ticket_header]
    return operation


def _ok(schema: dict[str, Any], status: int = 200, *errors: int) -> dict[str, Any]:
    """A success answer plus error answers."""
    return {str(status): _json(schema, "done"), **_errors(*errors)}


TEXT = {"type": "string"}
NUMBER_PATH = {"name": "number", "in": "path", "required": True, "schema": TEXT}
REFERENCE_PATH = {"name": "reference", "in": "path", "required": True, "schema": TEXT}
CHIP = _object(["chip_uid"], chip_uid={"type": "string", "pattern": "^([0-9A-Fa-f]{2}){4,10}$"})
PATRON_ANSWER = _object(["patron"], patron=_ref("PatronSummary"))

PATHS: dict[str, Any] = {
    "/openapi.json": {
        "get": _call("This document", {"200": {"description": "OpenAPI 3.1"}, **_errors()})
    },
    "/heartbeat": {
        "post": _call(
            "Report the kiosk's device states",
            _ok(
                _object(
                    ["status", "server_time"],
                    status={"enum": ["ok", "degraded"]},
                    server_time={"type": "string", "format": "date-time"},
                ),
                200,
                400,
            ),
            _object(
                ["devices"],
                software=TEXT,
                devices={
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {name: DEVICE_STATE for name in DEVICES},
                },
            ),
        )
    },
    "/identify": {
        "post": _call(
            "Identify a patron; answers a ticket for this kiosk",
            _ok(
                _object(
                    ["ticket", "proof", "patron"],
                    ticket=TEXT,
                    proof={"enum": [proof.value for proof in Proof]},
                    patron=_ref("PatronSummary"),
                ),
                200,
                400,
                422,
                429,
            ),
            {
                "oneOf": [
                    _object(
                        ["method", "card_number"],
                        method={"const": "card"},
                        card_number=TEXT,
                        chip_uid=TEXT,
                    ),
                    _object(["method", "code"], method={"const": "qr"}, code=TEXT),
                    _object(
                        ["method", "login", "password"],
                        method={"const": "password"},
                        login=TEXT,
                        password=TEXT,
                    ),
                ]
            },
        )
    },
    "/patron": {"get": _call("The ticket's patron", _ok(PATRON_ANSWER, 200, 403), ticket=True)},
    "/patrons/{number}/balance": {
        "get": _call(
            "What the patron owes, with the ledger lines",
            _ok(
                _object(
                    ["patron", "balance", "currency", "entries"],
                    patron=TEXT,
                    balance=TEXT,
                    currency=TEXT,
                    entries={
                        "type": "array",
                        "items": _object(
                            ["type", "amount", "description"],
                            type=TEXT,
                            amount=TEXT,
                            description=TEXT,
                        ),
                    },
                ),
                200,
                404,
            ),
            parameters=(NUMBER_PATH,),
        )
    },
    "/payments": {
        "post": _call(
            "Start a payment on the kiosk's PIN terminal, cancelling one still waiting there",
            _ok(_ref("Payment"), 201, 400, 404, 422, 503),
            _object(
                ["patron"], patron=TEXT, amount={"type": "string", "pattern": r"^\d+(\.\d\d?)?$"}
            ),
            parameters=(
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "minLength": 8, "maxLength": 64},
                },
            ),
        )
    },
    "/payments/{reference}": {
        "get": _call(
            "A payment's status", _ok(_ref("Payment"), 200, 404, 503), parameters=(REFERENCE_PATH,)
        )
    },
    "/payments/{reference}/cancel": {
        "post": _call(
            "Cancel a payment while the terminal allows it",
            _ok(_ref("Payment"), 200, 404, 409, 503),
            parameters=(REFERENCE_PATH,),
        )
    },
    "/payments/{reference}/receipt-mail": {
        "post": _call(
            "Mail the receipt of a paid payment to its patron",
            _ok(_object(["queued"], queued={"const": True}), 202, 404, 409, 422),
            parameters=(REFERENCE_PATH,),
        )
    },
    "/id-checks": {
        "post": _call(
            "Record an ID document check (ticket proof qr or password)",
            _ok(
                _object(
                    ["verified"],
                    verified={"type": "boolean"},
                    reason={
                        "enum": [o.value for o in IdCheckOutcome if o != IdCheckOutcome.VERIFIED]
                    },
                ),
                201,
                400,
                403,
            ),
            {
                "oneOf": [
                    _object(
                        ["outcome", "document_type", "surname", "birth_date", "sod_hash_ok"],
                        outcome={"const": "read"},
                        document_type=TEXT,
                        surname=TEXT,
                        birth_date={"type": "string", "format": "date"},
                        sod_hash_ok={"type": "boolean"},
                        chain_checked={"type": "boolean"},
                    ),
                    _object(
                        ["outcome", "reason"],
                        outcome={"const": "unreadable"},
                        reason={"enum": [reason.value for reason in UnreadableReason]},
                    ),
                ]
            },
            ticket=True,
        )
    },
    "/cards": {
        "post": _call(
            "Reserve a card number for a blank card's chip (after a verified ID check)",
            _ok(_object(["card_number", "isil"], card_number=TEXT, isil=TEXT), 200, 400, 403, 409),
            CHIP,
            ticket=True,
        )
    },
    "/cards/{number}/activate": {
        "post": _call(
            "Make the encoded card the patron's main card",
            _ok(
                _object(["patron", "card_number"], patron=_ref("PatronSummary"), card_number=TEXT),
                200,
                400,
                403,
                404,
                409,
            ),
            CHIP,
            ticket=True,
            parameters=(NUMBER_PATH,),
        )
    },
    "/cards/block": {
        "post": _call(
            "Report the main card lost (ticket proof password)",
            _ok(
                _object(["patron", "blocked"], patron=_ref("PatronSummary"), blocked=TEXT),
                200,
                403,
                409,
            ),
            {"type": "object"},
            ticket=True,
        )
    },
}

NULLABLE_TEXT = {"type": ["string", "null"]}
SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": TEXT},
        "additionalProperties": {"type": "string"},
    },
    "Payment": _object(
        ["reference", "status", "amount", "currency", "terminal"],
        reference=TEXT,
        status=TEXT,
        amount=TEXT,
        currency=TEXT,
        terminal=NULLABLE_TEXT,
    ),
    "PatronSummary": _object(
        [
            "number",
            "display_name",
            "valid_through",
            "subscription",
            "owed",
            "currency",
            "has_card",
            "card_masked",
            "needs_card",
            "locale",
            "email_known",
        ],
        number=TEXT,
        display_name=TEXT,
        valid_through={"type": ["string", "null"], "format": "date"},
        subscription=NULLABLE_TEXT,
        owed=TEXT,
        currency=TEXT,
        has_card={"type": "boolean"},
        card_masked=NULLABLE_TEXT,
        needs_card={"type": "boolean"},
        locale=TEXT,
        email_known={"type": "boolean"},
    ),
}


def openapi_document() -> dict[str, Any]:
    """The whole document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "OpenBalie kiosk API", "version": "1"},
        "servers": [{"url": PREFIX}],
        "security": [{"device": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"device": {"type": "http", "scheme": "bearer"}},
            "parameters": {
                "Ticket": {
                    "name": "X-Kiosk-Ticket",
                    "in": "header",
                    "required": True,
                    "schema": TEXT,
                }
            },
            "schemas": SCHEMAS,
        },
    }
