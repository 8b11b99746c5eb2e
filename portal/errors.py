"""The portal's error answers: a page in the portal's look and the patron's language, with a way
back; JSON for the addresses programs call."""

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from portal.extensions import db

# Addresses whose callers are programs (the kiosk, a single sign-on service): errors in JSON.
JSON_PATHS = ("/api/", "/oidc/token", "/oidc/userinfo", "/oidc/jwks", "/.well-known/", "/healthz")


def register(app: Flask) -> None:
    """Answer every HTTP error, and a crash (Flask logs it with its traceback first), so."""
    app.register_error_handler(HTTPException, http_error)


def http_error(error: HTTPException) -> Response | HTTPException:
    """The error as a page or as JSON, keeping its headers (Allow, Retry-After …)."""
    if error.code is None or error.code < 400:
        return error  # a routing redirect, not an error
    # A failed write leaves the session unusable, and the page's header reads who is logged in.
    db.session.rollback()
    if request.path.startswith(JSON_PATHS):
        body = jsonify(error=error.name.lower().replace(" ", "_"))
    else:
        body = make_response(render_template("portal/error.html", code=error.code))
    body.status_code = error.code
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            body.headers[name] = value
    return body
