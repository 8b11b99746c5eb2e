"""CODE128 for the receipt printer: digits in pairs, other text in code set B, and bars as wide
as the paper allows."""

import pytest

from kiosk.hardware.barcode import PRINTABLE_DOTS, code128, module_width


@pytest.mark.parametrize(
    ("text", "data", "symbols"),
    [
        ("2527000000017", "{C" + "".join(map(chr, [25, 27, 0, 0, 0, 1])) + "{B7", 10),
        ("52700000012345", "{C" + "".join(map(chr, [52, 70, 0, 0, 1, 23, 45])), 9),
        ("0a1b2c3d4e5f60718293", "{B0a1b2c3d4e5f60718293", 22),
        ("7", "{B7", 3),
        ("a{b", "{Ba{{b", 5),  # "{" is the code set escape: doubled, still one symbol
    ],
)
def test_the_data_and_its_symbols(text: str, data: str, symbols: int) -> None:
    assert code128(text) == (data, symbols)


def test_the_bars_are_the_widest_that_fit_the_paper() -> None:
    assert module_width(10) == 3  # a card number: 123 modules, 369 of 512 dots
    assert module_width(22) == 2  # a payment reference: 255 modules, 510 dots
    assert module_width(23) is None  # 266 modules: even the narrowest bars are too wide
    assert (22 * 11 + 13) * 2 <= PRINTABLE_DOTS < (23 * 11 + 13) * 2
