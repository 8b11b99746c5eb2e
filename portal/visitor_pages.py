"""Pages every new visitor gets alike (the login form, the signup's first step): rendered once per
process, page, language and version of what they show, then served with the visitor's own CSRF
token put in. Rendering them, and even building their forms, was most of their time.

A new visitor is one whose session holds nothing but a CSRF token and who is not logged in; a
visitor who sent a query string or a form gets the page from its view as before. Only for pages
whose HTML depends on nothing else: a page that shows something per request (a time, a setting
read at request time) must not be served through here."""

from collections.abc import Callable, Hashable
from functools import wraps
from typing import Any

from flask import Flask, current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from portal.i18n import current_language

EXTENSION = "visitor_pages"
View = Callable[..., str | Response]


def init_app(app: Flask) -> None:
    """Give the app its own kept pages."""
    app.extensions[EXTENSION] = {}


def kept_for_new_visitors(version: Callable[[], Hashable]) -> Callable[[View], View]:
    """Serve a new visitor's GET of the view's page from the page kept for it, its language and
    `version()` (say, the catalogue's), with the visitor's CSRF token in it; the view makes the
    page when none is kept, and answers every other request."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> str | Response:
            if not _new_visitor():
                return view(*args, **kwargs)
            return _kept_page(version(), lambda: view(*args, **kwargs))

        return wrapped

    return decorator


def _kept_page(version: Hashable, render: View) -> str | Response:
    """The kept page with this visitor's CSRF token in it, made by `render` when none is kept."""
    pages: dict[tuple[str, str], tuple[Hashable, list[str]]] = current_app.extensions[EXTENSION]
    token = generate_csrf()
    key = (request.path, current_language())
    kept = pages.get(key)
    if kept is None or kept[0] != version:
        page = render()
        if not isinstance(page, str):
            return page
        # Kept in the pieces around the token (the page's forms hold it), to join with another.
        kept = (version, page.split(token))
        pages[key] = kept
    return token.join(kept[1])


def _new_visitor() -> bool:
    """A GET without query string from a visitor whose session holds at most a CSRF token and
    who is not logged in (asked before the token is made: Flask-Login's session protection
    would clear a session that holds one without its own marks)."""
    if request.method != "GET" or request.query_string:
        return False
    if not set(session) <= {current_app.config["WTF_CSRF_FIELD_NAME"]}:
        return False
    return bool(current_user.is_anonymous)
