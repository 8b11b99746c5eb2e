"""The running kiosk (portal client, devices, sessions, card watcher, clock) and the patron at
hand."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import current_app, g, request
from flask import session as form_session

from kiosk.card_watch import CardWatcher
from kiosk.devices import Devices
from kiosk.flows.pay import cancel_in_background
from kiosk.flows.session import PatronSession, SessionStore
from kiosk.heartbeat import Heartbeat
from kiosk.portal_client import PortalClient
from shared.clock import Clock

COOKIE = "kiosk_session"


@dataclass
class Kiosk:
    """Everything one kiosk application holds while it runs."""

    portal: PortalClient
    devices: Devices
    sessions: SessionStore
    watcher: CardWatcher
    heartbeat: Heartbeat
    clock: Clock  # the one clock its sessions, flows, watcher and heartbeat read
    consumed_tap_at: float = 0.0
    tap_lock: threading.Lock = field(default_factory=threading.Lock)
    written_uid: str | None = None  # a card just encoded here opens nothing until taken away
    written_at: float = 0.0


def kiosk() -> Kiosk:
    """The kiosk of the current application."""
    return current_app.extensions["kiosk"]


def patron_session() -> PatronSession | None:
    """The session this browser holds, if it is the live one."""
    if "patron_session" not in g:
        _expire_idle(kiosk())
        g.patron_session = kiosk().sessions.get(request.cookies.get(COOKIE))
    return g.patron_session


def begin_session(previous: PatronSession | None = None) -> PatronSession:
    """Start a new session for this browser (its cookie is set on the response), in the language
    and text size of the one before it, if any."""
    if previous is None:
        session = kiosk().sessions.start(current_language())
    else:
        session = kiosk().sessions.start(
            previous.language, previous.language_chosen, previous.larger_text
        )
    g.patron_session = g.new_session = session
    return session


def end_session() -> None:
    """Forget the patron: the server session now, the browser's state with the response."""
    running = kiosk()
    ended = running.sessions.end()  # first: a slow portal must not keep the session alive
    if ended is not None:
        cancel_in_background(running, ended)
    form_session.clear()  # its cookie goes too; the next page renders a fresh CSRF token
    g.patron_session = g.new_session = None
    g.clear_browser = True


def start_over() -> None:
    """Forget the patron but not how they read the screen: an error or a refused card ends the
    session, yet whoever is still at the screen reads on in its language and text size (a new
    session holding only those, which the page's idle countdown ends like any other)."""
    ended = patron_session()
    end_session()
    if ended is None:
        return
    if ended.language != current_app.config["BABEL_DEFAULT_LOCALE"] or ended.larger_text:
        kept = (ended.language, ended.language_chosen, ended.larger_text)
        g.patron_session = g.new_session = kiosk().sessions.start(*kept)


def current_language() -> str:
    """The session's language, else the kiosk's own."""
    session = patron_session()
    return session.language if session else current_app.config["BABEL_DEFAULT_LOCALE"]


def _expire_idle(running: Kiosk) -> None:
    """End an idle session, stopping the payment it left waiting on the terminal."""
    expired = running.sessions.expire_idle()
    if expired is not None:
        cancel_in_background(running, expired)
