"""The message catalogues the tests read, compiled from the .po files when a run starts (as
`make translations` does), so a stale or missing .mo never hides a missing translation."""

import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_catalogues(directory: Path) -> None:
    """Write each language's messages.mo under `directory` from its messages.po."""
    for source in directory.glob("*/LC_MESSAGES/messages.po"):
        with source.open("rb") as po:
            catalogue = read_po(po, locale=source.parent.parent.name)
        compiled = source.with_suffix(".mo")
        # Written aside and moved in place: a test run beside this one may be reading it.
        partial = compiled.with_name(f"{compiled.name}.{os.getpid()}")
        with partial.open("wb") as mo:
            write_mo(mo, catalogue)
        partial.replace(compiled)
