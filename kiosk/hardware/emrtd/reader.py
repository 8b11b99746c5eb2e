"""Read an eMRTD: select the application, BAC, then EF.COM, DG1 and EF.SOD under SM."""

from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509

from kiosk.hardware.emrtd import bac, tlv
from kiosk.hardware.emrtd.apdu import SW_OK, Transmit, command, split_response
from kiosk.hardware.emrtd.errors import ChipNotAnswering, SecurityObjectError
from kiosk.hardware.emrtd.mrz import BacKey, MrzData, parse_mrz
from kiosk.hardware.emrtd.secure_messaging import SecureChannel
from kiosk.hardware.emrtd.security_object import parse_security_object
from kiosk.hardware.emrtd.signer_chain import verify_chain

EMRTD_AID = bytes.fromhex("A0000002471001")
EF_COM, EF_DG1, EF_SOD = 0x011E, 0x0101, 0x011D
HEADER_READ = 4  # tag + '82 xx xx': enough to learn the length of any LDS file
# Largest plain chunk whose DO'87' + DO'99' + DO'8E' still fit a short response of 256 bytes.
MAX_SM_READ = 0xE7
READ_OK = {SW_OK, 0x6282}


@dataclass(frozen=True)
class DocumentRead:
    """What was read from the chip: the MRZ of DG1 and the passive-authentication outcome."""

    mrz: MrzData
    sod_hash_ok: bool
    chain_checked: bool

    def as_dict(self) -> dict[str, object]:
        """The JSON fields of `id read`; the document number is deliberately absent."""
        mrz = self.mrz
        return {
            "document_type": mrz.document_type,
            "issuing_state": mrz.issuing_state,
            "surname": mrz.surname,
            "given_names": mrz.given_names,
            "nationality": mrz.nationality,
            "birth_date": mrz.birth_date.isoformat(),
            "sex": mrz.sex,
            "expiry_date": mrz.expiry_date.isoformat(),
            "sod_hash_ok": self.sod_hash_ok,
            "chain_checked": self.chain_checked,
        }


class SecureFiles:
    """Elementary files read through a secure channel, each APDU sent exactly once."""

    def __init__(self, transmit: Transmit, channel: SecureChannel) -> None:
        self._transmit = transmit
        self._channel = channel

    def _send(self, header: bytes, data: bytes = b"", le: int | None = None) -> tuple[bytes, int]:
        """Wrap, send and unwrap one command."""
        return self._channel.unwrap(self._transmit(self._channel.wrap(header, data, le)))

    def _read(self, offset: int, length: int) -> bytes:
        """READ BINARY of up to length bytes at offset."""
        data, sw = self._send(bytes([0x00, 0xB0, offset >> 8, offset & 0xFF]), le=length)
        if sw not in READ_OK or not data:
            raise ChipNotAnswering(f"unexpected status {sw:04X} reading at offset {offset}")
        return data

    def read(self, file_id: int) -> bytes:
        """SELECT an EF, read its TLV header, then the rest in the largest chunks allowed."""
        _, sw = self._send(bytes.fromhex("00A4020C"), file_id.to_bytes(2, "big"))
        if sw != SW_OK:
            raise ChipNotAnswering(f"unexpected status {sw:04X} selecting file {file_id:04X}")
        content = self._read(0, HEADER_READ)
        try:
            _, length, start = tlv.read_header(content)
        except IndexError:
            raise ChipNotAnswering(f"file {file_id:04X} has an unreadable header") from None
        while len(content) < start + length:
            content += self._read(len(content), min(MAX_SM_READ, start + length - len(content)))
        return content[: start + length]


def select_application(transmit: Transmit) -> None:
    """SELECT the eMRTD application by its AID (before BAC, in plain)."""
    _, sw = split_response(transmit(command(0x00, 0xA4, 0x04, 0x0C, EMRTD_AID)))
    if sw != SW_OK:
        raise ChipNotAnswering(f"no eMRTD application (status {sw:04X})")


def dg1_mrz(dg1: bytes) -> MrzData:
    """The MRZ inside DG1 (tag 61, then 5F1F), parsed and checked."""
    try:
        text = tlv.find(tlv.find(dg1, 0x61), 0x5F1F).decode("ascii")
    except (KeyError, IndexError, UnicodeDecodeError):
        raise SecurityObjectError("DG1 has no readable MRZ") from None
    width = 30 if len(text) == 90 else 44
    return parse_mrz("|".join(text[i : i + width] for i in range(0, len(text), width)))


def read_emrtd(
    transmit: Transmit, key: BacKey, trust_anchors: Sequence[x509.Certificate] | None = None
) -> DocumentRead:
    """Read and check EF.COM, DG1 and EF.SOD (never DG2); with trust anchors, the signer too."""
    select_application(transmit)
    files = SecureFiles(transmit, bac.authenticate(transmit, key.mrz_information()))
    files.read(EF_COM)
    dg1 = files.read(EF_DG1)
    security_object = parse_security_object(files.read(EF_SOD))
    if trust_anchors is not None:
        verify_chain(security_object.signed_data, trust_anchors)
    return DocumentRead(
        mrz=dg1_mrz(dg1),
        sod_hash_ok=security_object.hash_matches(1, dg1),
        chain_checked=trust_anchors is not None,
    )
