"""What every page about one patron starts with: the patron with the number in its address."""

from flask import abort, make_response, render_template

from portal.extensions import db
from shared.models.patron import Patron
from shared.patrons.lookup import find_patron_by_any_number


def patron_or_404(number: str) -> Patron:
    """The patron with this number (any of theirs); an unknown number ends the request with
    404 and a search box."""
    patron = find_patron_by_any_number(db.session(), number)
    if patron is None:
        page = render_template("portal/staff/patron_unknown.html", number=number)
        abort(make_response(page, 404))
    return patron
