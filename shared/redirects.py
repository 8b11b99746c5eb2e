"""Where a `next` or return target may send the browser: only a path on this same site."""

from urllib.parse import unquote

# Visible ASCII without the backslash. Browsers drop tabs and newlines from a URL and read a
# backslash as a slash, so "/\t/evil" and "/\\evil" become "//evil", another host; and a
# look-alike such as "／" (U+FF0F) is no character a path of ours holds.
_PLAIN = frozenset(map(chr, range(0x21, 0x7F))) - {"\\"}
# Each decoding may reveal another "//" or "\\" (a proxy or framework that decodes once more);
# a path still encoded after this many is refused rather than followed.
_DECODINGS = 3


def safe_path(target: str | None) -> str | None:
    """`target` if it is a path on this site (with its query and fragment), else None."""
    if not target or not set(target) <= _PLAIN:
        return None
    path = target.split("?", 1)[0].split("#", 1)[0]
    return target if _stays_on_site(path) else None


def _stays_on_site(path: str) -> bool:
    """Whether the path, and every percent-decoding of it, is a plain path from the root."""
    for _ in range(_DECODINGS):
        if not _plain_path(path):
            return False
        decoded = unquote(path)
        if decoded == path:
            return True
        path = decoded
    return False


def _plain_path(path: str) -> bool:
    """From the root, not to another host ("//host"), no user part ("@"), plain characters."""
    plain = set(path) <= _PLAIN and "@" not in path
    return plain and path.startswith("/") and not path.startswith("//")
