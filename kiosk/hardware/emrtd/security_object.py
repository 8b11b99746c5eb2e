"""EF.SOD (ICAO 9303 part 10/11): the CMS-signed LDS security object with data-group hashes."""

import hashlib
import hmac
from dataclasses import dataclass, field

from asn1crypto import algos, cms, core

from kiosk.hardware.emrtd import tlv
from kiosk.hardware.emrtd.errors import SecurityObjectError

LDS_SECURITY_OBJECT = "2.23.136.1.1.1"
SOD_TAG = 0x77


class DataGroupHash(core.Sequence):
    """One data group's number and hash."""

    _fields = [("data_group_number", core.Integer), ("data_group_hash_value", core.OctetString)]


class DataGroupHashValues(core.SequenceOf):
    """The hashes of all data groups on the chip."""

    _child_spec = DataGroupHash


class LdsVersionInfo(core.Sequence):
    """LDS and Unicode versions (LDS security object version 1)."""

    _fields = [("lds_version", core.PrintableString), ("unicode_version", core.PrintableString)]


class LdsSecurityObject(core.Sequence):
    """The signed content of EF.SOD."""

    _fields = [
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashValues),
        ("lds_version_info", LdsVersionInfo, {"optional": True}),
    ]


@dataclass(frozen=True)
class SecurityObject:
    """The hash algorithm, the data-group hashes and the CMS SignedData they came in."""

    hash_algorithm: str
    hashes: dict[int, bytes]
    signed_data: cms.SignedData = field(repr=False)

    def hash_matches(self, data_group: int, content: bytes) -> bool:
        """True when the data group's content hashes to the value the document signer signed."""
        expected = self.hashes.get(data_group)
        actual = hashlib.new(self.hash_algorithm, content).digest()
        return expected is not None and hmac.compare_digest(actual, expected)


def _load(ef_sod: bytes) -> SecurityObject:
    """Decode EF.SOD, letting asn1crypto's and hashlib's errors through."""
    tag, length, start = tlv.read_header(ef_sod)
    if tag != SOD_TAG:
        raise ValueError("not EF.SOD")
    signed_data = cms.ContentInfo.load(ef_sod[start : start + length])["content"]
    encap = signed_data["encap_content_info"]
    if encap["content_type"].dotted != LDS_SECURITY_OBJECT:
        raise ValueError("not an LDS security object")
    lds = LdsSecurityObject.load(encap["content"].native)
    algorithm = lds["hash_algorithm"]["algorithm"].native
    hashlib.new(algorithm)
    hashes = {
        h["data_group_number"].native: h["data_group_hash_value"].native
        for h in lds["data_group_hash_values"]
    }
    return SecurityObject(algorithm, hashes, signed_data)


def parse_security_object(ef_sod: bytes) -> SecurityObject:
    """Parse EF.SOD; SecurityObjectError when it is not a well-formed LDS security object."""
    try:
        return _load(ef_sod)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise SecurityObjectError(f"EF.SOD cannot be parsed ({type(error).__name__})") from None
