"""Kiosk API: collecting a card (reserve a number, activate the encoded card) and blocking one."""

from typing import Any

from portal.api.kiosk_common import DEVICE_AND_TICKET, bp, kiosk, ticket_patron
from portal.api.kiosk_schemas import Activated, Blocked, Chip, Nothing, ReadBack, Reserved
from portal.api.kiosk_summary import patron_summary
from portal.extensions import db
from portal.wiring import mail_settings, now
from shared.cards.blocking import block_main_card
from shared.cards.issuing import activate_card
from shared.cards.lookup import mask_number
from shared.kiosks.card_collection import reserve_card
from shared.kiosks.tickets import STRONG, Proof


@bp.post("/cards")
@bp.doc(security=DEVICE_AND_TICKET)
@bp.arguments(Chip)
@bp.response(200, Reserved)
@bp.refusing(400, 403, 409, 422)
def reserve(body: dict[str, Any]) -> dict[str, Any]:
    """Reserve a card number for a blank card's chip (ticket proof qr or password, and a
    verified ID check at this kiosk); answers the number to encode and the ISIL code."""
    patron = ticket_patron(STRONG)
    card = reserve_card(db.session(), patron, kiosk().id, body["chip_uid"], now())
    db.session.commit()
    return {"card_number": card.number, "isil": patron.home_branch.isil}


@bp.post("/cards/<number>/activate")
@bp.doc(security=DEVICE_AND_TICKET)
@bp.arguments(ReadBack)
@bp.response(200, Activated)
@bp.refusing(400, 403, 404, 409, 422)
def activate(body: dict[str, Any], number: str) -> dict[str, Any]:
    """Make the encoded card, read back with this chip UID, the patron's main card."""
    patron = ticket_patron(STRONG)
    card = activate_card(
        db.session(), patron, number, body["chip_uid"], mail_settings(), now(), body["locale"]
    )
    db.session.commit()
    return {"patron": patron_summary(patron), "card_number": card.number}


@bp.post("/cards/block")
@bp.doc(security=DEVICE_AND_TICKET)
@bp.arguments(Nothing, required=False)
@bp.response(200, Blocked)
@bp.refusing(400, 403, 409)
def block(_body: dict[str, Any]) -> dict[str, Any]:
    """Report the main card lost (ticket proof password)."""
    patron = ticket_patron(frozenset({Proof.PASSWORD}))
    card = block_main_card(db.session(), patron)
    db.session.commit()
    return {"patron": patron_summary(patron), "blocked": mask_number(card.number)}
