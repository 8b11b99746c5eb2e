"""The portal's session cookie: Flask's signed cookie, its signing serializer made once per set of
keys instead of twice per request (to open the session and to save it), which cost a tenth of a
new visitor's page."""

from collections.abc import Hashable

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's sessions in a signed cookie, the serializer kept while the keys stay the same.
    Threads share it without a lock: each replaces the whole pair, keys and serializer."""

    def __init__(self) -> None:
        self._kept: tuple[Hashable, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer for the app's current keys."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._kept
        if kept is None or kept[0] != keys:
            kept = (keys, super().get_signing_serializer(app))
            self._kept = kept
        return kept[1]
