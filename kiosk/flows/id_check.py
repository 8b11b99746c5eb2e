"""Verifying the ID document: read its chip, let the portal compare, keep nothing read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kiosk.context import Kiosk
from kiosk.flows.session import DeskReason
from kiosk.hardware.base import CardTimeout, HardwareError, MrzInput
from kiosk.hardware.emrtd.errors import EmrtdError

MAX_ATTEMPTS = 3


class ReadProblem(StrEnum):
    """Why the kiosk could not read a document's chip, in the kiosk API's words (the reader's
    own error codes, where it gives one the API knows)."""

    ACCESS_DENIED = "access_denied"
    DOCUMENT_REMOVED = "document_removed"
    CHIP_NOT_ANSWERING = "chip_not_answering"
    SECURITY_OBJECT = "security_object"
    READER_UNAVAILABLE = "reader_unavailable"
    TIMEOUT = "timeout"
    OTHER = "other"


# Wrong MRZ data, or the document lifted: the patron may try again.
RETRYABLE = frozenset({ReadProblem.ACCESS_DENIED, ReadProblem.DOCUMENT_REMOVED})


@dataclass(frozen=True)
class IdCheckResult:
    """The portal's verdict, or why the chip could not be read (`problem`: an error code)."""

    verified: bool
    reason: DeskReason | None = None
    problem: ReadProblem | None = None

    def may_retry(self, attempts: int) -> bool:
        """Whether the patron may try again (wrong MRZ data, document lifted) after `attempts`."""
        return self.problem in RETRYABLE and attempts < MAX_ATTEMPTS


def check_document(kiosk: Kiosk, ticket: str, access: MrzInput, timeout: float) -> IdCheckResult:
    """Read the chip and report the outcome; the holder's data never leave this function."""
    devices = kiosk.devices
    try:
        with devices.reader_for_flow():  # often the card reader too: pause the card watcher
            holder = devices.document_reader(devices.document_reader_name, access, timeout)
    except (EmrtdError, HardwareError) as error:
        reason = problem_code(error)
        answer = kiosk.portal.record_id_check(ticket, {"outcome": "unreadable", "reason": reason})
        return IdCheckResult(answer["verified"], _verdict(answer), reason)
    answer = kiosk.portal.record_id_check(ticket, document_reading(holder))
    return IdCheckResult(answer["verified"], _verdict(answer))


def _verdict(answer: dict[str, Any]) -> DeskReason | None:
    """Why the portal did not verify the document, if it did not."""
    reason = answer.get("reason")
    return DeskReason(reason) if reason else None


def problem_code(error: Exception) -> ReadProblem:
    """The kiosk API's reason code for a failed read."""
    if isinstance(error, CardTimeout):
        return ReadProblem.TIMEOUT
    if isinstance(error, HardwareError):
        return ReadProblem.READER_UNAVAILABLE
    code = getattr(error, "code", ReadProblem.OTHER)
    return ReadProblem(code) if code in set(ReadProblem) else ReadProblem.OTHER


READING = ("document_type", "surname", "birth_date", "expiry_date", "sod_hash_ok", "chain_checked")


def document_reading(holder: dict[str, Any]) -> dict[str, Any]:
    """What the portal compares with the record (never the document number)."""
    return {"outcome": "read", **{name: holder[name] for name in READING}}
