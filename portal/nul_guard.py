"""Requests carrying a NUL character are refused before any view runs: PostgreSQL stores no NUL
in text, so one reaching a query would be a server error, and no person types it. (The kiosk
API's JSON bodies are refused by its schemas.)"""

from flask import abort, request

from portal.page_forms import carries_page_form

NUL = "\x00"


def refuse_nul() -> None:
    """400 for a NUL in the path, the query or a form field (names and values)."""
    fields = [*request.args.items(multi=True)]
    if carries_page_form():
        fields += request.form.items(multi=True)
    texts = [request.path, *(part for pair in fields for part in pair)]
    if any(NUL in text for text in texts):
        abort(400)
