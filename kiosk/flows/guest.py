"""Becoming a guest patron at the kiosk (seed 003): the patron's own library card read (the
number and, where present, the ISIL its chip carries by ISO 28560-3), the library chosen where
the number leaves a choice, the ID document read and the registration asked of the portal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from kiosk.branch import Branch
from kiosk.context import Kiosk
from kiosk.flows.card_slip import valid_through_text
from kiosk.flows.id_check import ReadProblem, document_reading, problem_code
from kiosk.hardware.base import HardwareError, MrzInput, Receipt
from kiosk.hardware.emrtd.errors import EmrtdError
from kiosk.hardware.library_card import CardContents
from kiosk.receipts import make_receipt
from shared.library_codes import HOME_CARD, ISIL


@dataclass(frozen=True)
class OwnCard:
    """A guest's own card: its number, and the ISIL its chip carries ("" when none)."""

    number: str
    isil: str = ""


@dataclass(frozen=True)
class Choices:
    """What the patron chose and typed: the library, what opens their document's chip, whether
    they accepted the terms, and their language."""

    isil: str
    access: MrzInput
    accepted_terms: bool
    language: str


class DocumentUnread(Exception):
    """The ID document's chip could not be read; `problem` says why."""

    def __init__(self, problem: ReadProblem) -> None:
        super().__init__(problem)
        self.problem = problem


def own_card(contents: CardContents | None) -> OwnCard | None:
    """What a tapped card's chip says of itself: its number, with the ISIL when it is one;
    None for a layout the kiosk cannot decode (only a UID, another data model, a number that
    is not a card's): the number is then scanned or typed."""
    if contents is None or contents.card is None:
        return None
    card = contents.card
    if not HOME_CARD.fullmatch(card.card_number):
        return None
    return OwnCard(card.card_number, card.isil if ISIL.fullmatch(card.isil) else "")


def libraries(kiosk: Kiosk, card: OwnCard, search: str = "") -> list[dict[str, str]]:
    """The libraries the card may come from: the chip's alone, else by number and name."""
    return kiosk.portal.guest_libraries(card.number, card.isil, search)


def register(kiosk: Kiosk, card: OwnCard, choices: Choices, timeout: float) -> dict[str, Any]:
    """Read the ID document and have the portal register the guest; DocumentUnread when the
    chip could not be read, PortalRefused with the portal's reason otherwise."""
    devices = kiosk.devices
    try:
        with devices.reader_for_flow():  # often the card reader too: pause the card watcher
            holder = devices.document_reader(devices.document_reader_name, choices.access, timeout)
    except (EmrtdError, HardwareError) as error:
        raise DocumentUnread(problem_code(error)) from error
    return kiosk.portal.register_guest(card.number, choices.isil, document_reading(holder), choices)


def guest_slip(
    config: dict[str, Any],
    branch: Branch | None,
    answer: dict[str, Any],
    card: OwnCard,
    at: datetime,
) -> Receipt:
    """The new guest's slip: name, their own card's number (also as barcode: they borrow with
    it), its library, valid through and the free loan strips."""
    lines: list[tuple[str, Decimal | None]] = [
        (answer["display_name"], None),
        (_("Your card of %(library)s", library=answer["library"]), None),
        (_("Card number: %(number)s", number=card.number), None),
    ]
    if answer.get("valid_through"):
        valid = valid_through_text(answer["valid_through"])
        lines.append((_("Valid through %(date)s", date=valid), None))
    lines.append((_("Free loan strips: %(count)s", count=answer["loan_strips"]), None))
    title = _("Welcome as a guest patron")
    return make_receipt(config, branch, at, title, lines, barcode=card.number)
