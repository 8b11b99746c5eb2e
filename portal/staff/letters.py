"""The print queue (/balie/brieven): the letters for patrons without an e-mail address, each as
a PDF or every waiting one in one PDF, and marking them printed."""

from collections.abc import Iterable, Sequence

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.staff import patron_words
from portal.staff.views import bp
from portal.wiring import external_url, now
from shared.desk.print_queue import (
    PRINTED_DAYS,
    mark_printed,
    print_queue,
    record_opened,
    unprinted,
)
from shared.memberships.letters import letter_amounts, letter_content
from shared.models.membership import Letter

BIGGEST_ID = 2**63 - 1  # what a database's integer holds: a larger number names no letter


@bp.get("/brieven")
def letters() -> str:
    """The letters waiting to be printed, oldest first, and those printed lately."""
    queue = print_queue(db.session(), now())
    return render_template(
        "portal/staff/letters.html",
        queue=queue,
        amounts=letter_amounts(db.session(), [*queue.waiting, *queue.printed]),
        days=PRINTED_DAYS,
        words=patron_words,
    )


@bp.get(f"/brieven/<int(max={BIGGEST_ID}):letter_id>.pdf")
def letter_pdf(letter_id: int) -> Response:
    """One letter as a PDF, printed or not (to print it again)."""
    letter = db.session.get(Letter, letter_id) or abort(404)
    return pdf_response([letter], f"brief-{letter_id}.pdf")


@bp.get("/brieven/af-te-drukken.pdf")
def waiting_letters_pdf() -> Response:
    """Every letter the queue listed (up to the letter `tot`) as one PDF, a page each."""
    upto = letter_ids([request.args.get("tot", "")])
    waiting = unprinted(db.session(), upto=upto[0] if upto else None)
    if not waiting:
        flash(_("No letters are waiting to be printed."))
        return redirect(url_for("staff.letters"), 303)
    return pdf_response(waiting, "brieven.pdf")


@bp.post("/brieven/afgedrukt")
def mark_letters_printed() -> Response:
    """Mark the letters ticked, or all those listed, as printed by this staff member."""
    field = "listed" if request.form.get("which") == "all" else "letter"
    chosen = letter_ids(request.form.getlist(field))
    if not chosen:
        flash(_("Tick the letters you printed first."), "error")
        return redirect(url_for("staff.letters"), 303)
    count = mark_printed(db.session(), current_user, chosen, now())
    db.session.commit()
    flash(
        ngettext("%(num)s letter marked as printed.", "%(num)s letters marked as printed.", count)
    )
    return redirect(url_for("staff.letters"), 303)


def letter_ids(values: Iterable[str]) -> list[int]:
    """The letter ids among these values (anything else names no letter)."""
    numbers = [int(value) for value in values if value.isascii() and value.isdigit()]
    return [number for number in numbers if number <= BIGGEST_ID]


def pdf_response(chosen: Sequence[Letter], filename: str) -> Response:
    """The letters as one PDF, shown in the browser to print."""
    # Imported here: fpdf2 loads Pillow, which no other page or command of the portal needs.
    from shared.memberships.letter_pdf import letters_pdf

    account = external_url("account.overview")
    contents = [letter_content(db.session(), letter, account) for letter in chosen]
    title = contents[0].subject if len(contents) == 1 else _("Letters to print")
    response = Response(letters_pdf(contents, title, now()), mimetype="application/pdf")
    record_opened(db.session(), current_user, chosen, now())
    db.session.commit()
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


__all__ = ["bp", "letter_pdf", "letters", "mark_letters_printed", "waiting_letters_pdf"]
