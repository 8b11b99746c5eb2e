"""Pytest plugin: the Mollie sandbox as a program on a real port (reset per test), webhooks."""

import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask, current_app, request
from flask.testing import FlaskClient
from mollie.api.client import Client

from tests.support.programs import HOST, running_program
from tests.support.servers import free_port, running_server

SANDBOX_API_KEY = "test_sandbox0000000000000000000"
PORTAL_TESTS_KEY = "test_portal_tests"  # the key tests/conftest.py gives the portal
SANDBOX_COMMAND = (sys.executable, "-m", "shared.mollie_sandbox")
CONTROL_TIMEOUT = 10


class MollieSandbox:
    """A running sandbox program, reached over HTTP only: its URL (the client's api endpoint)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.api_key = SANDBOX_API_KEY

    @property
    def webhook_log(self) -> list[dict[str, Any]]:
        """The webhook deliveries attempted so far, oldest first."""
        return self._control("get", "webhooks")

    def payments(self) -> list[dict]:
        """Every payment as the sandbox keeps it, newest first."""
        return self._control("get", "payments")

    def payment(self, payment_id: str) -> dict:
        """One payment as the sandbox keeps it."""
        return self._control("get", f"payments/{payment_id}")

    def client(self) -> Client:
        """A real mollie-api-python client pointed at the sandbox."""
        client = Client(api_endpoint=self.url)
        client.set_api_key(self.api_key)
        return client

    def set_status(
        self,
        payment_id: str,
        status: str,
        *,
        webhook: bool = True,
        consumer_name: str | None = None,
        consumer_account: str | None = None,
    ) -> dict:
        """Move a payment as the checkout would (a first payment's account optional)."""
        account = {"consumerName": consumer_name, "consumerAccount": consumer_account}
        body = {"status": status, "webhook": webhook}
        body.update({key: value for key, value in account.items() if value is not None})
        return self._control("post", f"payments/{payment_id}/status", body)

    def charge(self, subscription_id: str, status: str, *, webhook: bool = True) -> dict:
        """Collect a subscription's next period now, ending in `status`; the payment made."""
        body = {"status": status, "webhook": webhook}
        return self._control("post", f"subscriptions/{subscription_id}/charge", body)

    def set_refund_status(self, refund_id: str, status: str, *, webhook: bool = True) -> dict:
        """Move a refund on as the bank would; Mollie posts the payment's webhook."""
        body = {"status": status, "webhook": webhook}
        return self._control("post", f"refunds/{refund_id}/status", body)

    def charge_back(
        self,
        payment_id: str,
        amount: str | None = None,
        *,
        reason: dict[str, str] | None = None,
        webhook: bool = True,
    ) -> dict:
        """The bank reverses (part of) a paid payment; the chargeback as the API shows it."""
        extra = {"amount": amount, "reason": reason}
        body = {"webhook": webhook, **{key: value for key, value in extra.items() if value}}
        return self._control("post", f"payments/{payment_id}/chargeback", body)

    def reverse_chargeback(
        self, payment_id: str, chargeback_id: str, *, webhook: bool = True
    ) -> dict:
        """The bank gives a chargeback's money back after all; the chargeback as the API shows
        it, with `reversedAt`."""
        path = f"payments/{payment_id}/chargebacks/{chargeback_id}/reverse"
        return self._control("post", path, {"webhook": webhook})

    def end_subscription(self, subscription_id: str, status: str) -> dict:
        """Suspend or cancel a schedule as Mollie does on its own (no webhook)."""
        return self._control("post", f"subscriptions/{subscription_id}/status", {"status": status})

    def invalidate_mandate(self, mandate_id: str) -> dict:
        """The bank makes a mandate invalid; its schedules are suspended (no webhook)."""
        return self._control("post", f"mandates/{mandate_id}/status", {"status": "invalid"})

    def clock(self) -> dict:
        """The sandbox's moment (`now`) and its offset from the machine's time."""
        return self._control("get", "clock")

    def advance_clock(self, seconds: float) -> list[str]:
        """Move the sandbox's time on; the ids of the payments that expired meanwhile."""
        return self._control("post", "clock", {"advance_seconds": seconds})["expired"]

    def set_clock(self, moment: datetime) -> list[str]:
        """Make it `moment` in the sandbox; the ids of the payments that expired meanwhile."""
        return self._control("post", "clock", {"now": moment.isoformat()})["expired"]

    def inject_fault(self, mode: str, count: int = 1, delay_seconds: float = 0.0) -> None:
        """Make the next `count` API requests fail: error_500, not_json or delay."""
        body = {"mode": mode, "count": count, "delay_seconds": delay_seconds}
        self._control("post", "faults", body)

    def clear_faults(self) -> None:
        """Forget the faults still waiting."""
        self._control("delete", "faults")

    def _control(self, method: str, path: str, body: dict | None = None) -> Any:
        """Call a control endpoint; its JSON answer, None for an empty one."""
        response = requests.request(
            method, f"{self.url}/_sandbox/{path}", json=body, timeout=CONTROL_TIMEOUT
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self) -> None:
        """Forget all records, idempotency keys, webhook attempts, waiting faults, clock offset."""
        self._control("post", "reset")


class WebhookReceiver:
    """A tiny app on a real port that records every POST it gets, at any path."""

    def __init__(self) -> None:
        self.url = ""
        self.calls: list[dict[str, Any]] = []
        self.arrivals: list[float] = []  # time.monotonic() of each call
        self.status_code = 200
        self._lock = threading.Lock()
        self.app = Flask(__name__)
        self.app.add_url_rule("/", view_func=self._receive, methods=["POST"])
        self.app.add_url_rule("/<path:path>", view_func=self._receive, methods=["POST"])

    @property
    def payment_ids(self) -> list[str | None]:
        """The `id` posted in each call, in order."""
        return [call["form"].get("id") for call in self.calls]

    def _receive(self, path: str = "") -> tuple[str, int]:
        """Record one webhook call and answer with the configured status code."""
        call = {"path": f"/{path}", "form": request.form.to_dict(), "mimetype": request.mimetype}
        with self._lock:
            self.calls.append(call)
            self.arrivals.append(time.monotonic())
        return "", self.status_code


def _environment(settings: Mapping[str, str]) -> dict[str, str]:
    """This environment without any MOLLIE_SANDBOX_* variable of its own, plus `settings`."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("MOLLIE_SANDBOX_")}
    return {**inherited, **settings}


@contextmanager
def running_sandbox(settings: Mapping[str, str] | None = None) -> Iterator[MollieSandbox]:
    """`python -m shared.mollie_sandbox` on a free port with MOLLIE_SANDBOX_* `settings`; it
    takes the tests' keys unless `settings` name MOLLIE_SANDBOX_KEYS."""
    port = free_port(HOST)
    keys = {"MOLLIE_SANDBOX_KEYS": f"{SANDBOX_API_KEY},{PORTAL_TESTS_KEY}"}
    environment = _environment({**keys, **(settings or {}), "MOLLIE_SANDBOX_PORT": str(port)})
    with (
        tempfile.TemporaryDirectory(prefix="openbalie-sandbox-") as folder,
        running_program(
            "The Mollie sandbox", SANDBOX_COMMAND, port, Path(folder) / "log", environment
        ),
    ):
        yield MollieSandbox(f"http://{HOST}:{port}")


def point_portal_at(client: FlaskClient, url: str, **settings: str) -> None:
    """The portal (the test's instance and the browser's) pays at this Mollie from now on,
    with these other settings (say, another MOLLIE_API_KEY)."""
    for instance in (current_app, client.application):
        instance.config.update(MOLLIE_ENDPOINT=url, **settings)


@pytest.fixture(scope="session")
def mollie_sandbox_server() -> Iterator[MollieSandbox]:
    """One sandbox program for the whole session; use `mollie_sandbox` in tests."""
    with running_sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def mollie_sandbox(mollie_sandbox_server: MollieSandbox) -> MollieSandbox:
    """The session's sandbox, emptied for this test."""
    mollie_sandbox_server.reset()
    return mollie_sandbox_server


@pytest.fixture
def mollie_client(mollie_sandbox: MollieSandbox) -> Client:
    """The real Mollie client, pointed at the emptied sandbox."""
    return mollie_sandbox.client()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A webhook endpoint on a real port that records what it receives."""
    receiver = WebhookReceiver()
    with running_server(receiver.app) as url:
        receiver.url = url
        yield receiver
