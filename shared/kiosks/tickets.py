"""Kiosk tickets: who identified at which kiosk, and how they proved it, for 15 minutes."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared import tokens
from shared.errors import DomainError


class Proof(StrEnum):
    """How a patron proved who they are: a tapped card proves least (it may be someone else's)."""

    CARD = "card"
    QR = "qr"
    PASSWORD = "password"


STRONG = frozenset({Proof.QR, Proof.PASSWORD})


@dataclass(frozen=True)
class Ticket:
    """A patron identified at one kiosk."""

    patron_id: int
    device_id: int
    proof: Proof

    def require(self, allowed: frozenset[Proof]) -> None:
        """Refuse a call that needs a stronger proof than this ticket's."""
        if self.proof not in allowed:
            raise DomainError("proof_required", proof=self.proof)


def issue_ticket(
    secret_key: str, patron_id: int, device_id: int, proof: Proof, now: datetime
) -> str:
    """A signed ticket for the patron at this kiosk."""
    payload = {"patron": patron_id, "device": device_id, "proof": str(proof)}
    return tokens.make_token(secret_key, tokens.KIOSK_TICKET, payload, now)


def read_ticket(secret_key: str, ticket: str, device_id: int, now: datetime) -> Ticket:
    """The ticket, if genuine, fresh and issued to this kiosk; `ticket_invalid` otherwise."""
    try:
        payload = tokens.read_token(secret_key, tokens.KIOSK_TICKET, ticket, now)
        parsed = Ticket(int(payload["patron"]), int(payload["device"]), Proof(payload["proof"]))
    except (tokens.TokenError, KeyError, TypeError, ValueError) as error:
        raise DomainError("ticket_invalid") from error
    if parsed.device_id != device_id:
        raise DomainError("ticket_invalid")
    return parsed
