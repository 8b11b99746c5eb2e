"""Which home libraries can be asked, per ISIL: a TOML file the library's IT person writes (named
by HOME_LIBRARIES_FILE), each entry a SIP2 server. A guest whose home library has no entry is
registered unverified (seed 003)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from shared.guests.home_library import HomeLibrary, Sip2HomeLibrary, Sip2Settings
from shared.library_codes import ISIL

# The settings an entry may give besides its ISIL and password file, and their types.
OPTIONAL: dict[str, type | tuple[type, ...]] = {
    "login_user": str,
    "location_code": str,
    "encoding": str,
    "timeout": (int, float),
    "valid_through_field": str,
    "birth_date_field": str,
}
REQUIRED: dict[str, type | tuple[type, ...]] = {"host": str, "port": int, "institution_id": str}


class HomeLibrariesError(ValueError):
    """A home libraries file the portal cannot follow (it does not start with one)."""


class HomeLibraries:
    """The home libraries that can be asked, by ISIL."""

    def __init__(self, settings: dict[str, Sip2Settings]) -> None:
        self.settings = settings

    def for_isil(self, isil: str) -> HomeLibrary | None:
        """The home library to ask about a card of this ISIL, or None: not configured."""
        found = self.settings.get(isil)
        return Sip2HomeLibrary(found) if found else None


def load_home_libraries(path: Path | None) -> HomeLibraries:
    """The home libraries of the file (none without a file); HomeLibrariesError naming the entry
    for a file that is wrong."""
    if path is None:
        return HomeLibraries({})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise HomeLibrariesError(f"{path}: not a readable UTF-8 TOML file ({error})") from error
    entries = data.get("home_library", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise HomeLibrariesError(f"{path}: [[home_library]] entries expected")
    settings: dict[str, Sip2Settings] = {}
    for entry in entries:
        isil, found = _entry(path, entry)
        if settings.setdefault(isil, found) is not found:
            raise HomeLibrariesError(f"{path}: {isil} is listed twice")
    return HomeLibraries(settings)


def _entry(path: Path, entry: dict[str, Any]) -> tuple[str, Sip2Settings]:
    """One entry's ISIL and SIP2 settings, checked."""
    isil = entry.get("isil")
    if not isinstance(isil, str) or not ISIL.fullmatch(isil):
        raise HomeLibrariesError(f"{path}: {isil!r} is not an ISIL (NL-123456)")
    unknown = set(entry) - {"isil", "password_file", *REQUIRED, *OPTIONAL}
    if unknown:
        raise HomeLibrariesError(f"{path}: {isil}: unknown settings {', '.join(sorted(unknown))}")
    for name, kind in {**REQUIRED, **OPTIONAL}.items():
        value = entry.get(name)
        if (name in REQUIRED or value is not None) and not isinstance(value, kind):
            raise HomeLibrariesError(f"{path}: {isil}: {name} is missing or of the wrong kind")
    if isinstance(entry["port"], bool) or not 0 < entry["port"] < 65536:
        raise HomeLibrariesError(f"{path}: {isil}: port is not a TCP port")
    values = {name: entry[name] for name in {**REQUIRED, **OPTIONAL} if name in entry}
    try:
        return isil, Sip2Settings(login_password=_password(path, isil, entry), **values)
    except LookupError as error:
        raise HomeLibrariesError(f"{path}: {isil}: {error}") from error


def _password(path: Path, isil: str, entry: dict[str, Any]) -> str:
    """The SIP2 login's password, read from its own file (never written in this one)."""
    if "password_file" not in entry:
        return ""
    try:
        return Path(entry["password_file"]).read_text(encoding="utf-8").strip()
    except (OSError, TypeError, UnicodeDecodeError) as error:
        raise HomeLibrariesError(f"{path}: {isil}: password_file unreadable ({error})") from error
