"""The desk's pages in the header of every staff page, and `/balie/` itself: the search."""

from flask import redirect, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal.staff.roles import is_coordinator
from portal.staff.views import bp

DESK_PAGES = (
    ("staff.find_patrons", _l("Find a patron")),
    ("staff.register_patron", _l("New patron")),
    ("staff.register_guest", _l("New guest patron")),
    ("staff.letters", _l("Letters")),
    ("staff.kiosks", _l("Kiosks")),
    ("staff.day_report", _l("Day report")),
)
COORDINATOR_PAGES = (("staff.audit", _l("Audit log")), ("staff.staff_list", _l("Staff")))


@bp.get("/")
def desk_home() -> Response:
    """The desk starts at the search box."""
    return redirect(url_for("staff.find_patrons"))


@bp.app_context_processor
def desk_navigation() -> dict[str, object]:
    """Templates ask for the desk's pages (the header does, for staff logins only)."""
    return {"desk_pages": desk_pages}


def desk_pages() -> tuple[tuple[str, str], ...]:
    """The endpoint and name of each desk page the logged-in staff member may open."""
    pages = DESK_PAGES + COORDINATOR_PAGES if is_coordinator() else DESK_PAGES
    return tuple((endpoint, str(name)) for endpoint, name in pages)
