"""Addresses carrying a NUL character are refused before any view runs: PostgreSQL stores no NUL
in text, so one reaching a query would be a server error, and no person types it. Forms refuse
it at their field, with a message (portal.forms); the kiosk API's schemas refuse it in JSON."""

from flask import abort, request

NUL = "\x00"


def refuse_nul() -> None:
    """400 for a NUL in the path or the query (names and values)."""
    texts = [request.path, *(part for pair in request.args.items(multi=True) for part in pair)]
    if any(NUL in text for text in texts):
        abort(400)
