"""ICAO 9303 secure messaging with 3DES: wrap command APDUs, unwrap and verify responses."""

import hmac

from kiosk.hardware.emrtd import tdes, tlv
from kiosk.hardware.emrtd.errors import SecureMessagingError

SM_CLA = 0x0C


def _ssc_bytes(ssc: int) -> bytes:
    """The send-sequence counter as the 8 bytes the MAC input starts with."""
    return (ssc % 2**64).to_bytes(8, "big")


class SecureChannel:
    """A BAC session: session keys and the send-sequence counter; repr shows neither."""

    def __init__(self, enc_key: bytes, mac_key: bytes, ssc: int) -> None:
        self._enc = enc_key
        self._mac = mac_key
        self.ssc = ssc

    def __repr__(self) -> str:
        return "SecureChannel(<keys hidden>)"

    def _next_mac(self, data: bytes) -> bytes:
        """Increment the counter and MAC it followed by data."""
        self.ssc += 1
        return tdes.retail_mac(self._mac, _ssc_bytes(self.ssc) + data)

    def wrap(self, header: bytes, data: bytes = b"", le: int | None = None) -> bytes:
        """Protect a command (header = CLA INS P1 P2) with DO'87', DO'97' and DO'8E'."""
        masked = bytes([header[0] | SM_CLA]) + header[1:4]
        objects = b""
        if data:
            cryptogram = tdes.encrypt(self._enc, tdes.pad(data))
            objects += tlv.encode(0x87, b"\x01" + cryptogram)
        if le is not None:
            objects += tlv.encode(0x97, bytes([le % 256]))
        mac = self._next_mac(tdes.pad(masked) + objects)
        body = objects + tlv.encode(0x8E, mac)
        return masked + bytes([len(body)]) + body + b"\x00"

    def unwrap(self, response: bytes) -> tuple[bytes, int]:
        """Verify a protected response's MAC; return its plain data and status word."""
        objects = {tag: (value, raw) for tag, value, raw in self._objects(response[:-2])}
        if 0x8E not in objects or 0x99 not in objects:
            self.ssc += 1
            raise SecureMessagingError(f"response without MAC (SW {response[-2:].hex()})")
        signed = b"".join(objects[tag][1] for tag in (0x87, 0x99) if tag in objects)
        if not hmac.compare_digest(self._next_mac(signed), objects[0x8E][0]):
            raise SecureMessagingError("response MAC does not verify")
        return self._plain(objects.get(0x87)), int.from_bytes(objects[0x99][0], "big")

    @staticmethod
    def _objects(body: bytes) -> list[tuple[int, bytes, bytes]]:
        """The data objects of a protected response body."""
        try:
            return list(tlv.iter_tlv(body))
        except IndexError:
            raise SecureMessagingError("malformed protected response") from None

    def _plain(self, do87: tuple[bytes, bytes] | None) -> bytes:
        """Decrypt DO'87' (padding indicator 01) to the plain response data."""
        if do87 is None:
            return b""
        value = do87[0]
        if value[:1] != b"\x01" or (len(value) - 1) % tdes.BLOCK:
            raise SecureMessagingError("malformed encrypted data object")
        try:
            return tdes.unpad(tdes.decrypt(self._enc, value[1:]))
        except ValueError:
            raise SecureMessagingError("bad padding in encrypted data") from None
