"""A real SMTP server for tests: aiosmtpd on a free port, recording what it accepts."""

from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope


class RecordingHandler:
    """An SMTP handler that keeps every accepted envelope."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"


def start_smtp(handler: RecordingHandler, port: int, **kwargs: Any) -> Controller:
    """Start aiosmtpd on 127.0.0.1:port; the caller stops it."""
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return controller
