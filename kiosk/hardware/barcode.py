"""CODE128 for the receipt printer (ESC/POS GS k 73): the text in the densest code set, and the
widest bars that still fit the paper, so that a scanner at the desk reads it."""

from __future__ import annotations

CODE_SET_B, CODE_SET_C = "{B", "{C"  # ESC/POS: the start of a code set, or a change to it
PRINTABLE_DOTS = 512  # a TM-T88V on 80 mm paper: 72 mm at 180 dpi (the margins are quiet zones)
MODULE_WIDTHS = (3, 2)  # dots per narrowest bar, widest first (3 dots is 0.42 mm)
SYMBOL_MODULES, STOP_MODULES = 11, 13


def code128(text: str) -> tuple[str, int]:
    """The data for GS k 73, and how many symbols it prints (the start, the data, a change of
    code set, the check symbol): digits in pairs (code set C, half as wide), an odd last digit
    and any other text in code set B (its "{" escaped)."""
    if not (text.isascii() and text.isdigit() and len(text) >= 2):
        return CODE_SET_B + text.replace("{", "{{"), len(text) + 2
    paired = len(text) - len(text) % 2
    pairs = "".join(chr(int(text[i : i + 2])) for i in range(0, paired, 2))
    if paired == len(text):
        return CODE_SET_C + pairs, paired // 2 + 2
    return CODE_SET_C + pairs + CODE_SET_B + text[-1], paired // 2 + 4


def module_width(symbols: int) -> int | None:
    """The widest bars with which a barcode of so many symbols fits the paper (None: none)."""
    dots = symbols * SYMBOL_MODULES + STOP_MODULES
    return next((width for width in MODULE_WIDTHS if dots * width <= PRINTABLE_DOTS), None)
