"""Nothing about a patron is forgotten: every table that refers to a patron or a login (derived
from the models' foreign keys) is classified in shared/privacy/tables.py, exported or left out
on purpose, and looked up by shared/privacy/holdings.py."""

import re

import shared.models  # noqa: F401  (every model registered)
from shared.db import Base
from shared.privacy.holdings import LOOK_UPS
from shared.privacy.tables import HANDLING, LEFT_OUT_COLUMNS, OnErase, patron_tables

# Column names that hold a secret: never in an export.
SECRET = re.compile(r"hash|secret|token|password$")


def test_every_table_about_a_patron_is_classified() -> None:
    found = patron_tables(Base.metadata)
    unclassified = found - set(HANDLING)
    assert not unclassified, f"classify in shared/privacy/tables.py: {sorted(unclassified)}"
    assert set(HANDLING) <= found, "classified but not about a patron"


def test_every_classified_table_is_looked_up() -> None:
    looked_up = {model.__tablename__ for model, _where in LOOK_UPS}
    roots = {"patron", "login_account"}
    kept = {name for name, how in HANDLING.items() if how.on_erase == OnErase.KEPT}
    assert looked_up == set(HANDLING) - roots - kept


def test_no_secret_column_is_exported() -> None:
    for name in HANDLING:
        table = Base.metadata.tables[name]
        secret = {column.name for column in table.columns if SECRET.search(column.name)}
        exported = HANDLING[name].export_key is not None
        assert not exported or secret <= LEFT_OUT_COLUMNS.get(name, frozenset()), name
    for name, columns in LEFT_OUT_COLUMNS.items():
        assert columns <= set(Base.metadata.tables[name].columns.keys()), name


def test_every_table_left_out_says_why() -> None:
    assert all(how.why for how in HANDLING.values() if how.export_key is None)
