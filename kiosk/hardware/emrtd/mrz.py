"""ICAO 9303 part 3 MRZs: TD1 (ID card) and TD3 (passport), with all check digits."""

import re
from dataclasses import dataclass, field
from datetime import date

from kiosk.hardware.emrtd.errors import MrzError
from shared.clock import SYSTEM_CLOCK

WEIGHTS = (7, 3, 1)
MRZ_CHARS = re.compile(r"[A-Z0-9<]*")
LINE_SHAPES = {2: 44, 3: 30}


def char_value(char: str) -> int:
    """Numeric value of an MRZ character: digits as such, A=10..Z=35, filler 0."""
    if char.isdigit():
        return int(char)
    return 0 if char == "<" else ord(char) - ord("A") + 10


def check_digit(text: str) -> str:
    """The 7-3-1 weighted check digit of text."""
    return str(sum(char_value(c) * WEIGHTS[i % 3] for i, c in enumerate(text)) % 10)


def mask(document_number: str) -> str:
    """A document number shown without its value: only its length."""
    return f"<{len(document_number)} characters>"


def _verify(text: str, digit: str, name: str) -> None:
    """Raise MrzError unless digit is the check digit of text."""
    if check_digit(text) != digit:
        code = f"check_digit_{name.replace(' ', '_')}"
        raise MrzError(code, f"check digit of the {name} does not match")


def _date_error(name: str) -> MrzError:
    """The error for a malformed or impossible date."""
    return MrzError(f"bad_date_{name.replace(' ', '_')}", f"{name} is not a valid YYMMDD date")


def _date(yymmdd: str, name: str) -> tuple[int, int, int]:
    """Split YYMMDD into numbers, raising MrzError when it is not shaped like a date."""
    if not re.fullmatch(r"\d{6}", yymmdd):
        raise _date_error(name)
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if not (1 <= mm <= 12 and 1 <= dd <= 31):
        raise _date_error(name)
    return yy, mm, dd


def _build_date(year: int, mm: int, dd: int, name: str) -> date:
    """A date, raising MrzError for days like 30 February or 29 February in a common year."""
    try:
        return date(year, mm, dd)
    except ValueError:
        raise _date_error(name) from None


def birth_date(yymmdd: str, today: date | None = None) -> date:
    """Birth date from YYMMDD, in the latest century that puts it in the past."""
    yy, mm, dd = _date(yymmdd, "birth date")
    today = today or SYSTEM_CLOCK.today()
    year = 2000 + yy if (2000 + yy, mm, dd) <= (today.year, today.month, today.day) else 1900 + yy
    return _build_date(year, mm, dd, "birth date")


def expiry_date(yymmdd: str, today: date | None = None) -> date:
    """Expiry date from YYMMDD, in the century that puts it nearest to today (usually ahead)."""
    yy, mm, dd = _date(yymmdd, "expiry date")
    today = today or SYSTEM_CLOCK.today()
    year = 2000 + yy if 2000 + yy <= today.year + 50 else 1900 + yy
    return _build_date(year, mm, dd, "expiry date")


@dataclass(frozen=True)
class BacKey:
    """The MRZ data Basic Access Control needs; the document number never shows in repr."""

    document_number: str = field(repr=False)
    birth_date: str
    expiry_date: str

    def mrz_information(self) -> str:
        """Document number, birth date and expiry, each followed by its check digit."""
        number = self.document_number.ljust(9, "<")
        return "".join(
            part + check_digit(part) for part in (number, self.birth_date, self.expiry_date)
        )

    def __repr__(self) -> str:
        return f"BacKey(document_number={mask(self.document_number)}, ...)"


@dataclass(frozen=True)
class MrzData:
    """The fields of a parsed MRZ; repr hides the document number."""

    document_type: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str = field(repr=False)
    nationality: str
    birth_date: date
    sex: str
    expiry_date: date
    bac_key: BacKey = field(repr=False, compare=False)


def bac_key_from_fields(document_number: str, birth: str, expiry: str) -> BacKey:
    """Validate the three fields typed by hand and return the BAC key they form."""
    number = document_number.strip().upper().replace(" ", "")
    if not number or not MRZ_CHARS.fullmatch(number) or len(number) > 22:
        raise MrzError("bad_document_number", "document number has invalid characters or length")
    birth_date(birth)
    expiry_date(expiry)
    return BacKey(number.rstrip("<"), birth, expiry)


def _split_lines(text: str) -> list[str]:
    """MRZ lines from text separated by newlines or '|', validated in number, length, charset."""
    lines = [line.strip().upper() for line in re.split(r"[|\n]", text.strip()) if line.strip()]
    if len(lines) not in LINE_SHAPES or any(len(ln) != LINE_SHAPES[len(lines)] for ln in lines):
        raise MrzError("bad_length", "MRZ must be 2 lines of 44 or 3 lines of 30 characters")
    if not all(MRZ_CHARS.fullmatch(line) for line in lines):
        raise MrzError("bad_characters", "MRZ contains characters other than A-Z, 0-9 and '<'")
    return lines


def _names(field_text: str) -> tuple[str, str]:
    """Surname and given names from the name field ('<<' separates them, '<' is a space)."""
    surname, _, given = field_text.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def _sex(char: str) -> str:
    """M, F, or X for unspecified."""
    return char if char in "MF" else "X"


def _td1_document_number(line1: str) -> tuple[str, str]:
    """Document number and its check digit; long numbers continue in the optional data."""
    if line1[14] != "<":
        return line1[5:14], line1[14]
    extension = line1[15:30].split("<", 1)[0]
    if len(extension) < 2:
        raise MrzError("bad_document_number", "long document number is truncated")
    return line1[5:14] + extension[:-1], extension[-1]


def _parse_td1(lines: list[str]) -> MrzData:
    """Parse and check a 3x30 ID-card MRZ."""
    line1, line2, line3 = lines
    number, number_digit = _td1_document_number(line1)
    _verify(number, number_digit, "document number")
    _verify(line2[0:6], line2[6], "birth date")
    _verify(line2[8:14], line2[14], "expiry date")
    _verify(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29], line2[29], "composite")
    surname, given = _names(line3)
    return _mrz_data(line1[0:2], line1[2:5], (surname, given), number, line2[15:18], line2)


def _parse_td3(lines: list[str]) -> MrzData:
    """Parse and check a 2x44 passport MRZ."""
    line1, line2 = lines
    _verify(line2[0:9], line2[9], "document number")
    _verify(line2[13:19], line2[19], "birth date")
    _verify(line2[21:27], line2[27], "expiry date")
    if not (line2[42] == "<" and set(line2[28:42]) == {"<"}):
        _verify(line2[28:42], line2[42], "optional data")
    _verify(line2[0:10] + line2[13:20] + line2[21:43], line2[43], "composite")
    return _mrz_data(
        line1[0:2], line1[2:5], _names(line1[5:44]), line2[0:9], line2[10:13], line2[13:]
    )


def _mrz_data(
    doc_type: str, state: str, names: tuple[str, str], number: str, nationality: str, dates: str
) -> MrzData:
    """Assemble MrzData; dates holds birth(6) cd sex expiry(6) as in both layouts."""
    number = number.rstrip("<")
    birth, expiry = dates[0:6], dates[8:14]
    return MrzData(
        document_type=doc_type.rstrip("<"),
        issuing_state=state.replace("<", ""),
        surname=names[0],
        given_names=names[1],
        document_number=number,
        nationality=nationality.replace("<", ""),
        birth_date=birth_date(birth),
        sex=_sex(dates[7]),
        expiry_date=expiry_date(expiry),
        bac_key=BacKey(number, birth, expiry),
    )


def parse_mrz(text: str) -> MrzData:
    """Parse a TD1 or TD3 MRZ (lines separated by newline or '|'), verifying every check digit."""
    lines = _split_lines(text)
    return _parse_td1(lines) if len(lines) == 3 else _parse_td3(lines)
