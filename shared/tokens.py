"""Signed, expiring tokens for links in mails, the kiosk QR code and kiosk tickets."""

from datetime import datetime
from typing import Any, cast

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

CONFIRM_ACCOUNT = "confirm-account"
CONFIRM_LIBRARY_EMAIL = "confirm-library-email"
CARD_COLLECTION = "card-collection"
PAY_INSTEAD = "pay-instead"
PASSWORD_RESET = "password-reset"
CONFIRM_NEW_EMAIL = "confirm-new-email"
KIOSK_TICKET = "kiosk-ticket"
DAY = 24 * 3600
MAX_AGES = {
    CONFIRM_ACCOUNT: DAY,
    CONFIRM_LIBRARY_EMAIL: DAY,
    CARD_COLLECTION: 90 * DAY,
    PAY_INSTEAD: 60 * DAY,
    PASSWORD_RESET: DAY,
    CONFIRM_NEW_EMAIL: DAY,
    KIOSK_TICKET: 15 * 60,
}


class TokenError(ValueError):
    """A token that is forged, for another purpose, or expired."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


class _ClockSigner(TimestampSigner):
    """A timestamp signer that reads the time given to it, not the machine's."""

    def __init__(self, *args: Any, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._now = now

    def get_timestamp(self) -> int:
        """The moment the caller's clock says it is."""
        return int(self._now.timestamp())


def _serializer(secret_key: str, purpose: str, now: datetime) -> URLSafeTimedSerializer:
    """The signing serializer for one purpose, telling the time by `now`."""
    return URLSafeTimedSerializer(
        secret_key, salt=purpose, signer=_ClockSigner, signer_kwargs={"now": now}
    )


def make_token(secret_key: str, purpose: str, payload: dict[str, Any], now: datetime) -> str:
    """A URL-safe token for one purpose, signed with the application secret, made at `now`."""
    return _serializer(secret_key, purpose, now).dumps(payload)


def read_token(secret_key: str, purpose: str, token: str, now: datetime) -> dict[str, Any]:
    """The payload of a token for this purpose that is still valid at `now`; TokenError
    otherwise."""
    serializer = _serializer(secret_key, purpose, now)
    try:
        return cast(dict[str, Any], serializer.loads(token, max_age=MAX_AGES[purpose]))
    except SignatureExpired as error:
        raise TokenError(expired=True) from error
    except BadSignature as error:
        raise TokenError(expired=False) from error
