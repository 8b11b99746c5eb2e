"""The welcome mail's short code for collecting a card at a kiosk: eight random characters and a
check character, typed where the QR code cannot be scanned; good once, until it expires."""

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from stdnum import luhn

from shared import tokens
from shared.db import rows_changed
from shared.errors import DomainError
from shared.models.card import CollectionCode
from shared.models.patron import Patron

# Crockford's base 32: no I, L, O or U, so nothing is read as another character.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_CHARACTERS = 8
LENGTH = RANDOM_CHARACTERS + 1
# As long as the QR code beside it in the mail.
LIFETIME = timedelta(seconds=tokens.MAX_AGES[tokens.CARD_COLLECTION])
# What a patron may type for what they read: lower case, and the letters Crockford leaves out.
_READ_AS = str.maketrans("ILO", "110")
_SEPARATORS = re.compile(r"[\s-]")


def issue_code(session: Session, secret_key: str, patron: Patron, now: datetime) -> str:
    """A new code for the patron, as the mail shows it (two groups); only its hash is kept."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARACTERS))
    code = body + luhn.calc_check_digit(body, ALPHABET)
    session.add(
        CollectionCode(
            patron_id=patron.id,
            code_hash=_hash(secret_key, code),
            created_at=now,
            expires_at=now + LIFETIME,
        )
    )
    session.flush()
    return f"{code[:4]} {code[4:]}"


def normalise(typed: str) -> str | None:
    """The code a patron typed, in capitals without spaces or dashes; None when it is not one
    (wrong length, a character outside the alphabet, or a check character that does not fit)."""
    code = _SEPARATORS.sub("", typed).upper().translate(_READ_AS)
    if len(code) != LENGTH or not set(code) <= set(ALPHABET):
        return None
    return code if luhn.is_valid(code, ALPHABET) else None


def find_code(session: Session, secret_key: str, code: str, now: datetime) -> CollectionCode:
    """The stored code of a normalised one; refused when it is unknown, expired or used."""
    row = session.scalar(
        select(CollectionCode).where(CollectionCode.code_hash == _hash(secret_key, code))
    )
    if row is None:
        raise DomainError("code_invalid")
    if row.used_at is not None:
        raise DomainError("code_used")
    if row.expires_at <= now:
        raise DomainError("code_expired")
    return row


def spend(session: Session, row: CollectionCode, now: datetime) -> None:
    """Use the code up; of two uses at the same moment, one wins and the other is refused."""
    taken = rows_changed(
        session,
        update(CollectionCode)
        .where(CollectionCode.id == row.id, CollectionCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False),
    )
    if not taken:
        raise DomainError("code_used")
    session.refresh(row, ["used_at"])


def _hash(secret_key: str, code: str) -> str:
    """The keyed hash the table keeps: a short code is guessable offline, not without the key."""
    return hmac.new(secret_key.encode(), code.encode(), hashlib.sha256).hexdigest()
