"""Basic Access Control (ICAO 9303 part 11): keys from the MRZ, mutual authentication."""

import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.hardware.emrtd import tdes
from kiosk.hardware.emrtd.apdu import SW_OK, Transmit, command, split_response
from kiosk.hardware.emrtd.errors import AccessDenied, ChipNotAnswering, SecureMessagingError
from kiosk.hardware.emrtd.secure_messaging import SecureChannel

REFUSED = {0x6300, 0x6982}


@dataclass(frozen=True)
class KeyPair:
    """A 3DES encryption key and MAC key."""

    enc: bytes = field(repr=False)
    mac: bytes = field(repr=False)


def key_seed(mrz_information: str) -> bytes:
    """K_seed: the first 16 bytes of SHA-1 over the MRZ information."""
    return hashlib.sha1(mrz_information.encode("ascii")).digest()[:16]


def keys_from_seed(seed: bytes) -> KeyPair:
    """Kenc and Kmac from a seed with the KDF counters 1 and 2."""
    return KeyPair(tdes.derive_key(seed, 1), tdes.derive_key(seed, 2))


def authentication_data(keys: KeyPair, rnd_icc: bytes, rnd_ifd: bytes, k_ifd: bytes) -> bytes:
    """E_IFD || M_IFD: the encrypted RND.IFD || RND.ICC || K.IFD and its MAC."""
    e_ifd = tdes.encrypt(keys.enc, rnd_ifd + rnd_icc + k_ifd)
    return e_ifd + tdes.retail_mac(keys.mac, e_ifd)


def open_session(
    keys: KeyPair, rnd_icc: bytes, rnd_ifd: bytes, k_ifd: bytes, answer: bytes
) -> SecureChannel:
    """Verify the chip's E_ICC || M_ICC and derive the session keys and counter."""
    e_icc, m_icc = answer[:32], answer[32:40]
    if len(answer) != 40 or not hmac.compare_digest(tdes.retail_mac(keys.mac, e_icc), m_icc):
        raise SecureMessagingError("chip's authentication MAC does not verify")
    plain = tdes.decrypt(keys.enc, e_icc)
    if plain[:8] != rnd_icc or plain[8:16] != rnd_ifd:
        raise SecureMessagingError("chip's authentication nonces do not match")
    session = keys_from_seed(bytes(a ^ b for a, b in zip(k_ifd, plain[16:32], strict=True)))
    ssc = int.from_bytes(rnd_icc[4:] + rnd_ifd[4:], "big")
    return SecureChannel(session.enc, session.mac, ssc)


def _exchange(transmit: Transmit, apdu: bytes) -> bytes:
    """Send a plain BAC command; map refusal and other failures to their errors."""
    data, sw = split_response(transmit(apdu))
    if sw in REFUSED:
        raise AccessDenied("document refused the MRZ data (check document number and dates)")
    if sw != SW_OK:
        raise ChipNotAnswering(f"unexpected status {sw:04X} during access control")
    return data


def authenticate(
    transmit: Transmit, mrz_information: str, random: Callable[[int], bytes] = os.urandom
) -> SecureChannel:
    """Run GET CHALLENGE and MUTUAL AUTHENTICATE; return the secure channel."""
    keys = keys_from_seed(key_seed(mrz_information))
    rnd_icc = _exchange(transmit, command(0x00, 0x84, 0x00, 0x00, le=8))
    if len(rnd_icc) != 8:
        raise ChipNotAnswering("challenge of the wrong length")
    rnd_ifd, k_ifd = random(8), random(16)
    data = authentication_data(keys, rnd_icc, rnd_ifd, k_ifd)
    answer = _exchange(transmit, command(0x00, 0x82, 0x00, 0x00, data, le=40))
    return open_session(keys, rnd_icc, rnd_ifd, k_ifd, answer)
