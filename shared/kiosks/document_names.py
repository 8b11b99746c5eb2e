"""Comparing a name on record with the surname in an ID document's machine-readable zone (MRZ).

An MRZ holds A-Z only: ICAO 9303 part 3 transliterates (Ç→C, ß→SS, Ĳ→IJ; Ä, Ö, Ü as AE, OE, UE
or plainly A, O, U), may include a Dutch prefix ("DE VRIES") and truncates long names."""

import unicodedata

# Letters that do not decompose into A-Z plus accents.
LIGATURES = {"Æ": "AE", "Ø": "OE", "Œ": "OE", "Þ": "TH", "Ð": "D", "Đ": "D", "Ł": "L", "Ħ": "H"}
# Letters ICAO writes either expanded or without their diacritic.
EXPANDED = {"Ä": "AE", "Ö": "OE", "Ü": "UE", "Å": "AA"}
# A name read this long may have been cut off at the end of its MRZ field.
TRUNCATION_LENGTH = 20


def surname_matches(prefix: str, surname: str, document_surname: str) -> bool:
    """Whether the document's surname is the recorded one, with or without its prefix."""
    read = _letters(document_surname, LIGATURES)
    recorded = mrz_forms(f"{prefix} {surname}") | mrz_forms(surname)
    return bool(read) and any(
        form == read or (len(read) >= TRUNCATION_LENGTH and form.startswith(read))
        for form in recorded
    )


def mrz_forms(name: str) -> set[str]:
    """The ways a name may be written in an MRZ, without spaces or filler."""
    return {_letters(name, LIGATURES | EXPANDED), _letters(name, LIGATURES)}


def _letters(name: str, transliterations: dict[str, str]) -> str:
    """The name in upper case A-Z only: transliterated, diacritics and the rest dropped."""
    upper = unicodedata.normalize("NFC", name).upper()
    mapped = "".join(transliterations.get(char, char) for char in upper)
    return "".join(c for c in unicodedata.normalize("NFKD", mapped) if "A" <= c <= "Z")
