"""Whether a request carries a page's form: only then may a hook read the body before the view
(the kiosk API's bodies are read after its own size limit is set, never before)."""

from flask import request

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
API = "/api/"


def carries_page_form() -> bool:
    """A form sent by a page of the portal (not a call to its API)."""
    return request.mimetype in FORM_TYPES and not request.path.startswith(API)
