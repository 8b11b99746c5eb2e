"""The text of a PDF as fpdf2 writes it with an embedded TrueType font, page by page, one line
per text-showing operator: each font's glyph codes read through its ToUnicode map (no PDF
reader is among the project's dependencies)."""

import re
import zlib

OBJECT = re.compile(
    rb"(\d+) 0 obj\s*<<(.*?)>>\s*(?:stream\r?\n(.*?)\r?\nendstream\s*)?endobj", re.S
)
PAGE = re.compile(rb"/Contents (\d+) 0 R.*/Resources (\d+) 0 R.*/Type /Page\b", re.S)
FONT_NAMES = re.compile(rb"/(F\d+) (\d+) 0 R")
SHOWN = re.compile(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", re.S)
CODE_PAIR = re.compile(rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]{4,8})>")
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page, in order."""
    objects = {int(num): (head, body) for num, head, body in OBJECT.findall(data)}
    pages = []
    for head, _body in objects.values():
        page = PAGE.search(head)
        if page and b"/Type /Pages" not in head:
            fonts = _fonts(objects, int(page[2]))
            pages.append(_text(_stream(objects[int(page[1])]), fonts))
    return pages


def pdf_text(data: bytes) -> str:
    """The text of every page, one after the other."""
    return "\n".join(pdf_pages(data))


def _stream(obj: tuple[bytes, bytes]) -> bytes:
    """An object's stream, inflated when it is compressed."""
    head, body = obj
    return zlib.decompress(body) if b"/FlateDecode" in head else body


def _fonts(objects: dict[int, tuple[bytes, bytes]], resources: int) -> dict[bytes, dict[int, str]]:
    """The page's fonts by resource name, each as glyph code → text."""
    head, _ = objects[resources]
    fonts = {}
    for name, number in FONT_NAMES.findall(head):
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)][0])
        assert to_unicode, f"font {name!r} has no ToUnicode map"
        cmap = _stream(objects[int(to_unicode[1])])
        fonts[name] = {
            int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
            for code, text in CODE_PAIR.findall(cmap)
        }
    return fonts


def _text(content: bytes, fonts: dict[bytes, dict[int, str]]) -> str:
    """The strings a content stream shows, one line each."""
    lines, font = [], {}
    for name, shown in SHOWN.findall(content):
        if name:
            font = fonts[name]
            continue
        codes = _unescape(shown)
        lines.append(
            "".join(font[int.from_bytes(codes[i : i + 2])] for i in range(0, len(codes), 2))
        )
    return "\n".join(lines)


def _unescape(literal: bytes) -> bytes:
    """A PDF literal string's bytes (backslash escapes undone)."""

    def one(match: re.Match[bytes]) -> bytes:
        escaped = match[1]
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8)])
        return ESCAPES.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.S)
