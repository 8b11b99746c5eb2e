"""The portal's kiosk API (/api/kiosk/v1) over HTTP, as a registered kiosk device."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

import requests

API = "/api/kiosk/v1"


class GuestChoices(Protocol):
    """What a guest chose at the kiosk that the portal is told."""

    @property
    def accepted_terms(self) -> bool:
        """Whether they accepted the terms of use."""

    @property
    def language(self) -> str:
        """Their language at the kiosk."""


class PortalUnavailable(Exception):
    """The portal did not answer, or answered that it cannot serve now (5xx)."""


class PortalRefused(Exception):
    """The portal said no: `code` names the rule, `details` its parameters, `status` HTTP's."""

    def __init__(self, status: int, code: str, details: dict[str, Any]) -> None:
        super().__init__(f"{status} {code}")
        self.status, self.code, self.details = status, code, details


class ProviderUnavailable(PortalRefused):
    """The portal is fine but the payment service is not (503 provider_unavailable): retry soon."""


PROVIDER_UNAVAILABLE = "provider_unavailable"
# Mollie refuses the library's key: staff have the alarm, the patron pays at the desk.
PAYMENTS_STOPPED = "payments_stopped"


class PortalClient:
    """One method per kiosk API call; each returns the decoded JSON answer."""

    def __init__(self, base_url: str, token: str, timeout: float = 10.0) -> None:
        self._base = base_url.rstrip("/") + API
        self._timeout = timeout
        self._http = requests.Session()
        self._http.headers["Authorization"] = f"Bearer {token}"

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        ticket: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """One request; PortalUnavailable or PortalRefused unless it succeeded."""
        extra = dict(headers or {}) | ({"X-Kiosk-Ticket": ticket} if ticket else {})
        try:
            response = self._http.request(
                method, self._base + path, json=body, headers=extra, timeout=self._timeout
            )
        except requests.RequestException as error:
            raise PortalUnavailable(type(error).__name__) from None
        return _answer(response)

    def heartbeat(self, devices: dict[str, str], software: str) -> dict[str, Any]:
        """Report the devices' states; the portal's view of this kiosk's health."""
        return self._call("POST", "/heartbeat", {"devices": devices, "software": software})

    def identify(self, method: str, **proof: str) -> dict[str, Any]:
        """Identify a patron by card, QR code or number and password: ticket and summary."""
        return self._call("POST", "/identify", {"method": method, **proof})

    def patron(self, ticket: str) -> dict[str, Any]:
        """The identified patron's summary, fresh."""
        return self._call("GET", "/patron", ticket=ticket)["patron"]

    def start_payment(self, patron_number: str, request_key: str) -> dict[str, Any]:
        """Start paying everything owed on this kiosk's PIN terminal (same key: same payment)."""
        headers = {"Idempotency-Key": request_key}
        return self._call("POST", "/payments", {"patron": patron_number}, headers=headers)

    def payment(self, reference: str) -> dict[str, Any]:
        """A payment's current status."""
        return self._call("GET", f"/payments/{reference}")

    def cancel_payment(self, reference: str) -> dict[str, Any]:
        """Cancel a payment on the terminal while it still can be."""
        return self._call("POST", f"/payments/{reference}/cancel")

    def balance(self, patron_number: str) -> dict[str, Any]:
        """What the patron owes, with the ledger and the charges still open."""
        return self._call("GET", f"/patrons/{patron_number}/balance")

    def mail_receipt(self, reference: str, language: str) -> dict[str, Any]:
        """Have the portal mail the receipt of a paid payment (the printer could not print it),
        in the patron's language at the kiosk."""
        return self._call("POST", f"/payments/{reference}/receipt-mail", {"locale": language})

    def record_id_check(self, ticket: str, outcome: dict[str, Any]) -> dict[str, Any]:
        """Report an ID-document read (or why it failed); whether the patron is verified."""
        return self._call("POST", "/id-checks", outcome, ticket=ticket)

    def reserve_card(self, ticket: str, chip_uid: str) -> dict[str, Any]:
        """The card number and ISIL to encode on this blank card."""
        return self._call("POST", "/cards", {"chip_uid": chip_uid}, ticket=ticket)

    def activate_card(
        self, ticket: str, number: str, chip_uid: str, language: str
    ) -> dict[str, Any]:
        """Link the encoded and read-back card as the patron's main card (its mail in the
        patron's language at the kiosk)."""
        body = {"chip_uid": chip_uid, "locale": language}
        return self._call("POST", f"/cards/{number}/activate", body, ticket=ticket)

    def block_card(self, ticket: str) -> dict[str, Any]:
        """Block the patron's current main card (lost)."""
        return self._call("POST", "/cards/block", {}, ticket=ticket)

    def guest_libraries(self, card_number: str, isil: str, search: str) -> list[dict[str, str]]:
        """The libraries a guest's own card may come from (the chip's ISIL alone, if any)."""
        body = {"card_number": card_number, "search": search} | ({"isil": isil} if isil else {})
        answer: list[dict[str, str]] = self._call("POST", "/guests/libraries", body)["libraries"]
        return answer

    def register_guest(
        self, card_number: str, isil: str, document: dict[str, Any], choices: GuestChoices
    ) -> dict[str, Any]:
        """Register the holder of this card of this library as a guest, on their ID document
        as read, with the terms accepted or not and in their language."""
        body: dict[str, Any] = {"card_number": card_number, "isil": isil, "document": document}
        body |= {"accepted_terms": choices.accepted_terms, "locale": choices.language}
        return self._call("POST", "/guests", body)


def new_request_key() -> str:
    """A fresh idempotency key for a call that must happen once."""
    return uuid.uuid4().hex


def _answer(response: requests.Response) -> dict[str, Any]:
    """The JSON body of a 2xx answer; the matching exception otherwise."""
    status = response.status_code
    if status == 401:
        # This kiosk's token was revoked or is wrong; it cannot serve until it is fixed.
        raise PortalUnavailable(f"HTTP {status}")
    try:
        body = response.json()
    except ValueError:
        raise PortalUnavailable(f"HTTP {status}: not JSON") from None
    fields = body if isinstance(body, dict) else {}
    code = str(fields.get("error", ""))
    details = {k: v for k, v in fields.items() if k != "error"}
    if status == 503 and code == PROVIDER_UNAVAILABLE:
        raise ProviderUnavailable(status, code, details)
    if status == 503 and code == PAYMENTS_STOPPED:
        raise PortalRefused(status, code, details)
    if status >= 500:
        raise PortalUnavailable(f"HTTP {status}")
    if status >= 400:
        raise PortalRefused(status, code, details)
    return body
