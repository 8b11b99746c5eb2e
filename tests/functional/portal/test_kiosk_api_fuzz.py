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

EXAMPLES = 25  # per operation and mode: with the boundaries, the fuzz takes about 20 s on 2 cores
# A rule refusing well-formed data is 409 or 422 (shared/refusals.py): the data was understood.
ACCEPTED = ["2xx", "401", "403", "404", "409", "422", "429"]
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
    give_card(patron, "2527000000017")
    ticket = KioskApi(client, token).ticket(patron)  # a password ticket: every call's proof
    schema = kiosk_schema(portal_server, token, ticket)
    checks = CHECKS.get_all()
    sent: list[int] = []

    def send(case) -> None:  # noqa: ANN001
        response = case.call_and_validate(checks=checks)
        sent.append(response.status_code)

    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    for result in schema.get_all_operations():
        operation = result.ok()
        generation = schema.config.generation_for(operation=operation)
        # The boundaries first: each field's limits, missing headers, methods not allowed.
        for case in schema.iter_coverage_cases(
            operation, generation_modes=modes, generation_config=generation
        ):
            send(case)
        for mode in modes:
            fuzz(operation, mode, send)
    print(f"kiosk API fuzz: {len(sent)} requests, statuses {sorted(set(sent))}")
    assert len(sent) > 0 and all(status < 500 for status in sent)
