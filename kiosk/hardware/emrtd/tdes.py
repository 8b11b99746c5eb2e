"""3DES primitives of ICAO 9303 BAC: CBC with zero IV, padding method 2, retail MAC, parity."""

import hashlib

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

BLOCK = 8
ZERO_IV = bytes(BLOCK)


def pad(data: bytes) -> bytes:
    """Pad with ISO/IEC 9797-1 method 2: 0x80, then zeros to a block boundary."""
    padded = data + b"\x80"
    return padded + bytes(-len(padded) % BLOCK)


def unpad(data: bytes) -> bytes:
    """Remove ISO/IEC 9797-1 method 2 padding; ValueError when there is none."""
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise ValueError("padding missing")
    return stripped[:-1]


def _cipher(key: bytes) -> Cipher:
    """A 3DES-CBC cipher with zero IV; 8-byte (single DES) and 16-byte keys expand to 24."""
    full_key = (key * 3)[:24]
    return Cipher(TripleDES(full_key), modes.CBC(ZERO_IV))


def encrypt(key: bytes, data: bytes) -> bytes:
    """Encrypt block-aligned data with 3DES-CBC and a zero IV."""
    encryptor = _cipher(key).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def decrypt(key: bytes, data: bytes) -> bytes:
    """Decrypt block-aligned data with 3DES-CBC and a zero IV."""
    decryptor = _cipher(key).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 (DES retail MAC) over data padded with method 2."""
    k1, k2 = key[:BLOCK], key[BLOCK : 2 * BLOCK]
    last = encrypt(k1, pad(data))[-BLOCK:]
    return encrypt(k1, decrypt(k2, last))


def adjust_parity(key: bytes) -> bytes:
    """Set each byte's lowest bit so the byte has odd parity, as DES keys require."""
    return bytes(b & 0xFE | (bin(b >> 1).count("1") + 1) % 2 for b in key)


def derive_key(seed: bytes, counter: int) -> bytes:
    """ICAO 9303 KDF for 3DES: SHA-1(seed || counter), 16 bytes, parity adjusted."""
    digest = hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()
    return adjust_parity(digest[:16])
