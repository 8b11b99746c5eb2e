"""The ID document pages' shared parts (collecting a card, becoming a guest): the scan poll that
starts the chip read once the MRZ lines are complete, and the typed details' problems."""

from __future__ import annotations

from collections.abc import Callable

from flask import jsonify
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.context import kiosk
from kiosk.flows.document_access import TypedFieldsInvalid, scanned_mrz
from kiosk.hardware.base import MrzInput
from kiosk.hardware.emrtd.errors import MrzError
from kiosk.pages import scanner_for_page
from kiosk.views.collect_messages import DOCUMENT_NUMBER_PROBLEM, date_problem

SCAN_WAIT_SECONDS = 0.3


def scan_poll(start: Callable[[MrzInput], None], reading_url: str) -> Response:
    """A poll of an ID page: scanned MRZ lines start the read (`start`), then the reading page."""
    try:
        mrz = scanned_mrz(scanner_for_page(kiosk().devices.scanner), SCAN_WAIT_SECONDS)
    except MrzError:
        return jsonify(go=None, status=_("The scan did not work. Scan again, or type the details."))
    if mrz is None:
        return jsonify(go=None, status=None)
    start(mrz)
    return jsonify(go=reading_url, status=None)


def typed_problems(invalid: TypedFieldsInvalid) -> tuple[dict[str, str], set[str]]:
    """What is wrong at each wrong field, and the date parts to fix."""
    errors = {name: date_problem(problem) for name, problem in invalid.dates.items()}
    if invalid.number_wrong:
        errors["document_number"] = str(DOCUMENT_NUMBER_PROBLEM)
    wrong = {f"{name}_{part}" for name, problem in invalid.dates.items() for part in problem.parts}
    return errors, wrong
