"""Finding patrons (/balie/klanten?q=...): one box for names, numbers, e-mail, postcode and birth
date; exactly one match opens the patron screen at once (a scanned card and Enter do that)."""

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.staff.views import bp
from shared.desk.patron_numbers import Found
from shared.desk.search import search_patrons
from shared.models.patron import CustomerType

LONGEST_QUERY = 200  # characters of the search box read; no search needs more
RESULTS = 50


@bp.get("/klanten")
def find_patrons() -> Response | str:
    """The search box and what it found; straight to the patron when one matches."""
    query = " ".join(request.args.get("q", "")[:LONGEST_QUERY].split())
    found = search_patrons(db.session(), query, RESULTS) if query else []
    if len(found) == 1:
        return redirect(patron_url(found[0].number), 303)
    return render_template(
        "portal/staff/search.html",
        query=query,
        found=found,
        most=RESULTS,
        patron_url=patron_url,
        status=status,
    )


def patron_url(number: str) -> str:
    """The patron screen's address for this number."""
    return url_for("staff.patron", number=number)


def status(found: Found) -> str:
    """What the record says at a glance, for the list (the patron screen says why and more)."""
    words = [_l("Lending blocked")] if found.patron.lending_blocked else []
    if found.card is None:
        words.append(_l("no card"))
    if found.patron.customer_type == CustomerType.GUEST:
        words.append(_l("guest patron"))
    return ", ".join(str(word) for word in words) or "–"
