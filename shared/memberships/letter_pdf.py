"""Renewal letters as a PDF to print: A4, one letter per page, the address where the window of
a Dutch window envelope shows it (its window from 20 mm from the left and 50 mm from the top, the
sheet folded in three) and the branch's details at the top right. DejaVu Sans (Debian's
fonts-dejavu-core) prints € and accents."""

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from shared.memberships.letters import LetterContent

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"
LEFT, RIGHT, TOP = 22.0, 20.0, 20.0  # margins, mm
SENDER_X, SENDER_WIDTH = 125.0, 65.0  # the branch's block at the top right
WINDOW_Y, WINDOW_WIDTH = 50.0, 85.0  # the envelope's window: return line, then the address
BODY_Y = 100.0  # place and date, below the window
FOLDS = (99.0, 198.0)  # A4 folded in three for a DL window envelope
LINE = 5.0  # mm per line of 10 pt text
GAP = 4.0  # mm between paragraphs


def letters_pdf(letters: Sequence[LetterContent], title: str, now: datetime) -> bytes:
    """The letters in one PDF made `now`, each on a page of its own."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, margin=TOP)
    pdf.set_title(title)
    pdf.set_lang(letters[0].locale if letters else "nl")
    pdf.set_creation_date(now)
    for letter in letters:
        _page(pdf, letter)
    return bytes(pdf.output())


def _page(pdf: FPDF, letter: LetterContent) -> None:
    """One letter on a new page."""
    pdf.add_page()
    _fold_marks(pdf)
    _sender(pdf, letter.sender)
    _window(pdf, letter)
    pdf.set_xy(LEFT, BODY_Y)
    _lines(pdf, (letter.place_and_date, letter.reference))
    pdf.ln(GAP * 2)
    pdf.set_font(FONT, "B", 11)
    _paragraph(pdf, letter.subject)
    pdf.set_font(FONT, "", 10)
    for paragraph in (letter.salutation, *letter.paragraphs):
        _paragraph(pdf, paragraph)
    _ways(pdf, letter)
    _lines(pdf, letter.closing)


def _fold_marks(pdf: FPDF) -> None:
    """Short marks in the left margin where the sheet is folded."""
    pdf.set_draw_color(160)
    for y in FOLDS:
        pdf.line(4, y, 8, y)


def _sender(pdf: FPDF, sender: tuple[str, ...]) -> None:
    """The branch's name (bold) and details at the top right."""
    pdf.set_xy(SENDER_X, TOP)
    name, *details = sender
    pdf.set_font(FONT, "B", 10)
    pdf.cell(SENDER_WIDTH, LINE, name, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    for line in details:
        pdf.cell(SENDER_WIDTH, LINE - 0.5, line, new_x=XPos.LEFT, new_y=YPos.NEXT)


def _window(pdf: FPDF, letter: LetterContent) -> None:
    """In the envelope's window: the branch as a small return line, then the address."""
    pdf.set_xy(LEFT, WINDOW_Y)
    pdf.set_font(FONT, "", 7)
    back = " · ".join(letter.sender[:3])
    pdf.cell(WINDOW_WIDTH, 4, back, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(FONT, "", 10)
    for line in letter.recipient:
        pdf.cell(WINDOW_WIDTH, LINE, line, new_x=XPos.LEFT, new_y=YPos.NEXT)


def _ways(pdf: FPDF, letter: LetterContent) -> None:
    """How to pay, as a heading and a list, when the letter asks for money."""
    if not letter.ways:
        return
    pdf.set_font(FONT, "B", 10)
    _paragraph(pdf, letter.ways_heading, after=1)
    pdf.set_font(FONT, "", 10)
    for way in letter.ways:
        pdf.cell(5, LINE, "•")
        pdf.multi_cell(0, LINE, way, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(GAP)


def _paragraph(pdf: FPDF, text: str, after: float = GAP) -> None:
    """A paragraph across the page, then some space."""
    pdf.multi_cell(0, LINE, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(after)


def _lines(pdf: FPDF, lines: Sequence[str]) -> None:
    """Lines one below the other, from the left margin."""
    for line in lines:
        pdf.cell(0, LINE, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
