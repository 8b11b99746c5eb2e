"""Demo cards and ID documents for the simulated devices (the control panel and tests)."""

from __future__ import annotations

import secrets
from datetime import date

from kiosk.hardware.library_card import LibraryCard, read_card, write_card
from kiosk.hardware.simulated import SimulatedDocument, SimulatedTag
from shared.clock import SYSTEM_CLOCK

DEMO_ISIL = "NL-083076"
ICODE_UID_PREFIX = bytes.fromhex("E00401")  # NXP ICODE SLIX, as on the library's blank cards


def blank_tag() -> SimulatedTag:
    """A blank card with a fresh UID."""
    return SimulatedTag(identifier=ICODE_UID_PREFIX + secrets.token_bytes(5))


def card_tag(card_number: str, isil: str = DEMO_ISIL) -> SimulatedTag:
    """A card with a fresh UID encoded with this card number."""
    tag = blank_tag()
    write_card(tag, LibraryCard(card_number, isil))
    return tag


def tag_number(tag: SimulatedTag) -> str | None:
    """The card number encoded on the tag (None: blank)."""
    card = read_card(tag).card
    return card.card_number if card else None


def demo_document(
    surname: str,
    given_names: str,
    birth: date,
    document_type: str = "P",
    expiry: date | None = None,
) -> SimulatedDocument:
    """An ID document whose chip holds this holder; a fresh document number."""
    expiry = expiry or date(SYSTEM_CLOCK.today().year + 5, 1, 31)
    number = "DEMO" + "".join(secrets.choice("0123456789") for _ in range(5))
    holder = {
        "document_type": document_type,
        "issuing_state": "NLD",
        "surname": surname.upper(),
        "given_names": given_names.upper(),
        "nationality": "NLD",
        "birth_date": birth.isoformat(),
        "sex": "<",
        "expiry_date": expiry.isoformat(),
        "sod_hash_ok": True,
        "chain_checked": False,
    }
    return SimulatedDocument(number, f"{birth:%y%m%d}", f"{expiry:%y%m%d}", holder)
