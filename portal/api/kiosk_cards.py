"""Kiosk API: collecting a card (reserve a number, activate the encoded card) and blocking one."""

from flask import jsonify
from werkzeug.wrappers import Response

from portal.api.kiosk_common import bp, json_body, kiosk, text, ticket_patron
from portal.api.kiosk_summary import patron_summary
from portal.extensions import db
from portal.wiring import mail_settings, now
from shared.cards.issuing import activate_card, block_main_card
from shared.cards.lookup import mask_number
from shared.kiosks.card_collection import reserve_card
from shared.kiosks.tickets import STRONG, Proof


@bp.post("/cards")
def reserve() -> Response:
    """The card number to encode on this blank card's chip, and the library's ISIL code."""
    patron = ticket_patron(STRONG)
    chip_uid = text(json_body(), "chip_uid")
    card = reserve_card(db.session(), patron, kiosk().id, chip_uid, now())
    db.session.commit()
    return jsonify(card_number=card.number, isil=patron.home_branch.isil)


@bp.post("/cards/<number>/activate")
def activate(number: str) -> Response:
    """The encoded card, read back with this chip UID, becomes the patron's main card."""
    patron = ticket_patron(STRONG)
    chip_uid = text(json_body(), "chip_uid")
    card = activate_card(db.session(), patron, number, chip_uid, mail_settings(), now())
    db.session.commit()
    return jsonify(patron=patron_summary(patron), card_number=card.number)


@bp.post("/cards/block")
def block() -> Response:
    """Report the main card lost (the patron typed their password for this)."""
    patron = ticket_patron(frozenset({Proof.PASSWORD}))
    card = block_main_card(db.session(), patron)
    db.session.commit()
    return jsonify(patron=patron_summary(patron), blocked=mask_number(card.number))
