"""How libraries and their cards are named across libraries: an ISIL (ISO 15511) and a card
number as another library gives it out (digits and letters, as scanned or typed)."""

import re

# A country code, a hyphen and at most 11 more characters (16 in all).
ISIL = re.compile(r"[A-Z]{2}-[A-Za-z0-9:/-]{1,11}")
HOME_CARD = re.compile(r"[0-9A-Za-z]{4,20}")
