"""Errors under /api/ answer JSON, as the kiosk API's own refusals do: `{"error": code}` with
the HTTP status (an unknown path, a method not allowed, a body too large, a bug)."""

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

API_PREFIX = "/api/"
log = logging.getLogger(__name__)


def register(app: Flask) -> None:
    """Answer HTTP errors of the APIs in JSON; pages keep Flask's (or the portal's own) pages."""
    app.register_error_handler(HTTPException, _http_error)


def _http_error(error: HTTPException) -> HTTPException | Response:
    """The error in JSON under /api/, with its headers (Allow, WWW-Authenticate …)."""
    if not request.path.startswith(API_PREFIX):
        return error
    if isinstance(error, InternalServerError):
        log.error("kiosk API error on %s %s", request.method, request.path, exc_info=error)
    code = (error.name or "error").lower().replace(" ", "_")
    response = jsonify(error=code)
    response.status_code = error.code or 500
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response
