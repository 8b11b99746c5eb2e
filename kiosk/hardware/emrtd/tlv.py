"""Minimal BER-TLV reading and writing for APDU data objects and LDS files."""

from collections.abc import Iterator


def _tag_end(data: bytes, offset: int) -> int:
    """Index just past the tag starting at offset (multi-byte tags included)."""
    end = offset + 1
    if data[offset] & 0x1F == 0x1F:
        while data[end] & 0x80:
            end += 1
        end += 1
    return end


def read_header(data: bytes, offset: int = 0) -> tuple[int, int, int]:
    """Return (tag, value length, value offset) of the TLV at offset; IndexError if cut short."""
    tag_end = _tag_end(data, offset)
    tag = int.from_bytes(data[offset:tag_end], "big")
    first = data[tag_end]
    if first < 0x80:
        return tag, first, tag_end + 1
    count = first & 0x7F
    if tag_end + 1 + count > len(data):
        raise IndexError("length field cut short")
    length = int.from_bytes(data[tag_end + 1 : tag_end + 1 + count], "big")
    return tag, length, tag_end + 1 + count


def iter_tlv(data: bytes) -> Iterator[tuple[int, bytes, bytes]]:
    """Yield (tag, value, whole encoding) for each TLV in data."""
    offset = 0
    while offset < len(data):
        tag, length, start = read_header(data, offset)
        yield tag, data[start : start + length], data[offset : start + length]
        offset = start + length


def find(data: bytes, tag: int) -> bytes:
    """Value of the first TLV with this tag in data; KeyError if absent."""
    for found, value, _ in iter_tlv(data):
        if found == tag:
            return value
    raise KeyError(hex(tag))


def encode_length(length: int) -> bytes:
    """BER length octets: short form below 128, long form otherwise."""
    if length < 0x80:
        return bytes([length])
    size = (length.bit_length() + 7) // 8
    return bytes([0x80 | size]) + length.to_bytes(size, "big")


def encode(tag: int, value: bytes) -> bytes:
    """Encode one TLV."""
    tag_bytes = tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")
    return tag_bytes + encode_length(len(value)) + value
