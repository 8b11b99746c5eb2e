"""Pages every new visitor gets alike (the login form, the signup's first step): rendered once per
process, page, language and version of what they show, then served with the visitor's own CSRF
token put in. Rendering them was most of their time.

A visitor who is logged in, has a message waiting, sent a query string or a form gets the page
rendered as before. Only for pages whose HTML depends on nothing else: a page that shows something
per request (a time, a setting read at request time) must not be served through here."""

from collections.abc import Callable, Hashable

from flask import Flask, current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from portal.i18n import current_language

EXTENSION = "visitor_pages"
FLASHES = "_flashes"  # where Flask keeps the messages waiting for the next page


def init_app(app: Flask) -> None:
    """Give the app its own kept pages."""
    app.extensions[EXTENSION] = {}


def for_new_visitors(version: Hashable, render: Callable[[], str]) -> str:
    """The page `render` makes; for a new visitor the one kept for this page, language and
    `version` (say, the catalogue's), with the visitor's CSRF token in it."""
    if not _new_visitor():
        return render()
    pages: dict[tuple[str, str], tuple[Hashable, list[str]]] = current_app.extensions[EXTENSION]
    token = generate_csrf()
    key = (request.path, current_language())
    kept = pages.get(key)
    if kept is None or kept[0] != version:
        # Kept in the pieces around the token (the page's forms hold it), to join with another.
        kept = (version, render().split(token))
        pages[key] = kept
    return token.join(kept[1])


def _new_visitor() -> bool:
    """A GET without query string from a visitor who is not logged in and has no message
    waiting (asked after the page's form is made, as its template would)."""
    if request.method != "GET" or request.query_string:
        return False
    return bool(current_user.is_anonymous) and FLASHES not in session
