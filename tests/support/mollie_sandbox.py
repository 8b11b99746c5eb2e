"""Pytest plugin: the Mollie sandbox on a real port (reset per test) and a webhook receiver."""

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask, request
from mollie.api.client import Client

from shared.payments.sandbox import create_sandbox_app, sandbox_store
from shared.payments.sandbox.store import SandboxStore
from tests.support.servers import running_server

SANDBOX_API_KEY = "test_sandbox0000000000000000000"


class MollieSandbox:
    """A running sandbox: its URL (the client's api endpoint), its store and helpers."""

    def __init__(self, url: str, app: Flask) -> None:
        self.url = url
        self.app = app
        self.api_key = SANDBOX_API_KEY

    @property
    def store(self) -> SandboxStore:
        """The sandbox's in-memory store, to inspect payments directly."""
        return sandbox_store(self.app)

    @property
    def webhook_log(self) -> list[dict[str, Any]]:
        """The webhook deliveries attempted so far, oldest first."""
        return self.store.webhooks.deliveries()

    def client(self) -> Client:
        """A real mollie-api-python client pointed at the sandbox."""
        client = Client(api_endpoint=self.url)
        client.set_api_key(self.api_key)
        return client

    def set_status(self, payment_id: str, status: str, *, webhook: bool = True) -> dict:
        """Move a payment as the checkout would, through the control endpoint."""
        response = requests.post(
            f"{self.url}/_sandbox/payments/{payment_id}/status",
            json={"status": status, "webhook": webhook},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        """Forget all payments, idempotency keys and webhook attempts."""
        self.store.reset()


class WebhookReceiver:
    """A tiny app on a real port that records every POST it gets, at any path."""

    def __init__(self) -> None:
        self.url = ""
        self.calls: list[dict[str, Any]] = []
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
        return "", self.status_code


@pytest.fixture(scope="session")
def mollie_sandbox_server() -> Iterator[MollieSandbox]:
    """One sandbox server for the whole session; use `mollie_sandbox` in tests."""
    app = create_sandbox_app()
    with running_server(app) as url:
        yield MollieSandbox(url, app)


@pytest.fixture
def mollie_sandbox(mollie_sandbox_server: MollieSandbox) -> MollieSandbox:
    """The session's sandbox, emptied for this test."""
    mollie_sandbox_server.reset()
    return mollie_sandbox_server


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A webhook endpoint on a real port that records what it receives."""
    receiver = WebhookReceiver()
    with running_server(receiver.app) as url:
        receiver.url = url
        yield receiver
