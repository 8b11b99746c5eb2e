"""The kiosk API fuzzed from its own OpenAPI document (schemathesis): every operation, with
valid and with invalid data, against the real portal on a port, as a registered kiosk with a
patron's ticket. Every answer must be documented, of the documented shape, and no server error;
data the document allows must be accepted (or refused by a rule), data it refuses refused."""

from collections.abc import Callable

import requests
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig

from tests.support.accounts import give_card, member
from tests.support.kiosk import TERMINAL
from tests.support.kiosk_api import API, KioskApi, register_kiosk

EXAMPLES = 25  # per operation and mode: with the boundaries, the fuzz takes about 15 s on 2 cores
# A rule refusing well-formed data is 409 or 422 (shared/refusals.py): the data was understood.
ACCEPTED = ["2xx", "401", "403", "404", "409", "422", "429"]
CARD = "2527000000017"
# The calls a ticket opens, fuzzed once more with a tapped card's ticket (proof too weak: 403).
TICKETED = {
    f"{API}/{path}"
    for path in ("patron", "id-checks", "cards", "cards/{number}/activate", "cards/block")
}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def kiosk_schema(portal: str, token: str, ticket: str) -> schemathesis.schemas.BaseSchema:
    """The document the portal serves, set up to call it with this kiosk's token and ticket."""
    document = requests.get(f"{portal}{API}/openapi.json", headers=bearer(token), timeout=10)
    config = SchemathesisConfig.from_dict(
        {
            "base-url": portal,
            "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
            "auth": {"openapi": {"device": {"bearer": token}, "ticket": {"api_key": ticket}}},
        }
    )
    return schemathesis.openapi.from_dict(document.json(), config=config)


def bearer(token: str) -> dict[str, str]:
    """The device token's header."""
    return {"Authorization": f"Bearer {token}"}


def fuzz(operation, mode: GenerationMode, send: Callable[..., None]) -> None:  # noqa: ANN001
    """Send EXAMPLES generated requests of one operation in one mode."""

    @FUZZ
    @given(case=operation.as_strategy(mode))
    def one(case) -> None:  # noqa: ANN001
        send(case)

    one()


def test_the_kiosk_api_answers_every_generated_request_as_documented(
    app: Flask, client: FlaskClient, portal_server: str, mollie_sandbox
) -> None:
    token = register_kiosk(app, "Kiosk hal", "--terminal", TERMINAL)
    patron = member(client)
    give_card(patron, CARD)
    kiosk = KioskApi(client, token)
    password = kiosk.ticket(patron)  # the strongest proof: every call may be made with it
    tapped = kiosk.identify(method="card", card_number=CARD).json["ticket"]  # the weakest
    checks = CHECKS.get_all()
    sent: list[int] = []

    def send(case) -> None:  # noqa: ANN001
        response = case.call_and_validate(checks=checks)
        sent.append(response.status_code)

    for ticket, operations in ((password, None), (tapped, TICKETED)):
        schema = kiosk_schema(portal_server, token, ticket)
        for result in schema.get_all_operations():
            operation = result.ok()
            if operations is None or operation.path in operations:
                fuzz_operation(schema, operation, send)
    print(f"kiosk API fuzz: {len(sent)} requests, statuses {sorted(set(sent))}")
    assert len(sent) > 0 and all(status < 500 for status in sent)


def fuzz_operation(schema, operation, send: Callable[..., None]) -> None:  # noqa: ANN001
    """Its boundaries (each field's limits, missing headers, methods not allowed), then
    generated requests with valid and with invalid data."""
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    generation = schema.config.generation_for(operation=operation)
    for case in schema.iter_coverage_cases(
        operation, generation_modes=modes, generation_config=generation
    ):
        send(case)
    for mode in modes:
        fuzz(operation, mode, send)
