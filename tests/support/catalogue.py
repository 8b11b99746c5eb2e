"""A library's catalogue changed for a test: the file of Biblionet Drenthe loaded again with a
registration fee and more entries (the mechanisms its own data does not use)."""

from pathlib import Path

from portal.extensions import db
from shared.catalogue.loader import DEFAULT_CATALOGUE, load_catalogue

# An action with a discount of an amount, and one of a percentage.
ACTIONS = """
[[selection]]
code = "actie"
names = { nl = "Actie", en = "Action" }
discount = "10.00"

[[selection]]
code = "kwart"
names = { nl = "Kwart eraf", en = "A quarter off" }
discount = "25%"
"""


def load_changed_catalogue(directory: Path, fee: str, extra: str = "") -> None:
    """The default catalogue with this registration fee for the organisation and `extra`
    entries, loaded and committed."""
    text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    changed = text.replace('registration_fee = "0.00"', f'registration_fee = "{fee}"', 1)
    assert changed != text, "the catalogue no longer sets a registration fee"
    path = directory / "changed-catalogue.toml"
    path.write_text(changed + extra, encoding="utf-8")
    load_catalogue(db.session, path)
    db.session.commit()
